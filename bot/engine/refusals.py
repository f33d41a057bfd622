"""A policy refusal, on the record: who was refused what, and why, is audited before the
person is told, whichever rule refused them (start, decide, cancel, answer, set a mode)."""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from bot.engine.errors import DecisionRefused, EngineError
from storage import audit
from storage.database import Database


def refuse(
    database: Database,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    why: str,
    error: type[EngineError] = DecisionRefused,
    **where: Any,
) -> NoReturn:
    """Audit ``actor``'s refused ``action`` (``where``: its run_id, step_id, detail), then
    raise ``error`` with ``why`` for the surface to show."""
    with database.session() as session:
        audit.append(
            session, at=at, actor=actor, action=action, outcome="refused", reason=why, **where
        )
    raise error(why)
