"""Which mode a procedure is in now, and which mode a run gets (DESIGN promise 10).

A procedure runs in its file's ``mode`` until one of its owners sets another with
``/sop mode`` (stored in ``sop_modes``): runs started from then on take the new mode, runs
in flight keep the one they started in (``runs.mode``). Care only tightens at run time: a
starter may ask for a more careful mode than the current one (autonomous → assist →
shadow), to try it or to watch its writes, but never a less careful one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.engine.errors import EngineError
from bot.engine.policy import CARE, careful_enough, mode_refusal
from bot.procedure.model import Procedure
from storage import sop_modes


@dataclass(frozen=True)
class CurrentMode:
    """A procedure's mode now, and where it comes from: its file, or an owner's setting."""

    mode: str
    file_mode: str
    set_by: str | None = None
    """The owner who set it with ``/sop mode``; None while the file's mode stands."""
    set_at: dt.datetime | None = None
    reason: str | None = None


def current_mode(session: Session, procedure: Procedure) -> CurrentMode:
    """The mode new runs of ``procedure`` start in (before a starter asks for more care)."""
    stored = sop_modes.get(session, procedure.id)
    if stored is None:
        return CurrentMode(procedure.mode, procedure.mode)
    return CurrentMode(stored.mode, procedure.mode, stored.set_by, stored.set_at, stored.reason)


def checked_mode(word: str) -> str:
    """``word`` when it names a mode; ``EngineError`` saying which words do otherwise."""
    if word not in CARE:
        raise EngineError(f"'{word}' is not a mode (shadow, assist or autonomous)")
    return word


class ModeRefused(EngineError):
    """The starter asked for a mode less careful than the procedure's current one (the rule
    and its wording: ``bot.engine.policy.mode_refusal``)."""

    def __init__(self, current: str, asked: str, why: str) -> None:
        super().__init__(why)
        self.current = current
        self.asked = asked
        self.allowed = careful_enough(current)


def mode_for_run(procedure: Procedure, current: str, asked: str | None) -> str:
    """The procedure's ``current`` mode, or the more careful one the starter ``asked`` for.

    ``EngineError`` for a word that is no mode; ``ModeRefused`` for a less careful one.
    """
    if asked is None:
        return current
    why = mode_refusal(procedure, current, checked_mode(asked))
    if why is not None:
        raise ModeRefused(current, asked, why)
    return asked
