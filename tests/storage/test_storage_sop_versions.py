"""Every exact SOP text is kept once, by content hash, however often and by whom it is saved."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from storage import sop_versions
from storage.database import Database
from storage.models import SopVersion

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _save(database: Database, content_hash: str, version: int, at: dt.datetime) -> SopVersion:
    with database.session() as session:
        return sop_versions.save_version(
            session,
            sop_id="refund",
            version=version,
            content_hash=content_hash,
            source=f"id: refund\nversion: {version}\n",
            file="sops/refund.yml",
            author="U1",
            at=at,
        )


def test_saving_the_same_text_again_returns_the_first_row(database: Database) -> None:
    first = _save(database, "a" * 64, 1, T0)
    again = _save(database, "a" * 64, 1, T0 + HOUR)

    assert again.id == first.id
    assert again.created_at == T0
    with database.session() as session:
        found = sop_versions.get_by_hash(session, "a" * 64)
        missing = sop_versions.get_by_hash(session, "f" * 64)
    assert found is not None
    assert (found.sop_id, found.version, found.source) == ("refund", 1, "id: refund\nversion: 1\n")
    assert missing is None


def test_versions_are_listed_most_recently_saved_first(database: Database) -> None:
    _save(database, "a" * 64, 1, T0)
    _save(database, "b" * 64, 2, T0 + HOUR)
    _save(database, "a" * 64, 1, T0 + 2 * HOUR)  # a rollback to v1 reuses its row
    _save(database, "c" * 64, 3, T0 + 3 * HOUR)

    with database.session() as session:
        listed = [saved.version for saved in sop_versions.versions_of(session, "refund")]
        other = sop_versions.versions_of(session, "onboard")

    assert listed == [3, 2, 1]
    assert other == []


def test_processes_saving_the_same_text_at_once_keep_one_row(database: Database) -> None:
    savers = 6
    start = threading.Barrier(savers)

    def save(_: int) -> int:
        start.wait(timeout=30)
        return _save(database, "d" * 64, 4, T0).id

    with ThreadPoolExecutor(savers) as pool:
        ids = set(pool.map(save, range(savers)))

    with database.session() as session:
        rows = session.scalar(select(func.count()).select_from(SopVersion))
    assert (len(ids), rows) == (1, 1)
