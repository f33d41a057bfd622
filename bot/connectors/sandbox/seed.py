"""Fill the sandbox with the demo data, or wipe it.

``seed`` only adds records that are missing, so it runs at every start: a second run
changes nothing, and whatever the demo runs changed (a refund, a booked holiday) stays.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, tuple_

from bot.connectors.sandbox.demo_data import demo_records
from bot.connectors.sandbox.store import take_write_lock
from storage.database import Database
from storage.models import SandboxCall, SandboxRecord


def seed(database: Database, now: dt.datetime) -> int:
    """Add every demo record not yet present; how many were added."""
    records = demo_records(now)
    with database.session() as session:
        take_write_lock(session)
        present = set(
            session.execute(
                select(SandboxRecord.collection, SandboxRecord.key).where(
                    tuple_(SandboxRecord.collection, SandboxRecord.key).in_(
                        [(kind.collection, key) for kind, key, _ in records]
                    )
                )
            ).all()
        )
        missing = [
            SandboxRecord(collection=kind.collection, key=key, data=document, updated_at=now)
            for kind, key, document in records
            if (kind.collection, key) not in present
        ]
        session.add_all(missing)
    return len(missing)


def reset(database: Database) -> None:
    """Wipe every sandbox record and the log of calls (``seed`` brings the demo back)."""
    with database.session() as session:
        take_write_lock(session)
        session.execute(delete(SandboxRecord))
        session.execute(delete(SandboxCall))
