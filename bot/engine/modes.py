"""Which mode a run gets: care only tightens at run time (DESIGN promise 10).

A starter may ask for a more careful mode than the procedure's (autonomous → assist →
shadow), to try it or to watch its writes, but never a less careful one: assist's one-click
confirmations and shadow's "would do" are the owners' decision, made by editing the SOP.
"""

from __future__ import annotations

from bot.chat.mentions import mentions
from bot.engine.errors import EngineError
from bot.library import ServedProcedure

CARE = ("autonomous", "assist", "shadow")
"""The modes from least to most careful."""


class ModeRefused(EngineError):
    """The starter asked for a mode less careful than the procedure's own."""

    def __init__(self, served: ServedProcedure, asked: str) -> None:
        procedure = served.procedure
        allowed = careful_enough(procedure.mode)
        options = " or ".join(f"--mode={mode}" for mode in allowed[1:])
        may = options or f"{procedure.mode} is already the most careful mode"
        super().__init__(
            f"{procedure.id} runs in {procedure.mode} mode; --mode={asked} would make it less "
            f"careful, and a starter may only make a run more careful ({may}). Only its "
            f"owner {mentions([procedure.owner])} changes its mode, by editing {served.file}."
        )
        self.asked = asked
        self.allowed = allowed


def careful_enough(mode: str) -> list[str]:
    """``mode`` and every mode more careful than it, in order."""
    return list(CARE[CARE.index(mode) :])


def mode_for_run(served: ServedProcedure, asked: str | None) -> str:
    """The procedure's mode, or the more careful one the starter ``asked`` for.

    ``EngineError`` for a word that is no mode; ``ModeRefused`` for a less careful one.
    """
    if asked is None:
        return served.procedure.mode
    if asked not in CARE:
        raise EngineError(f"'{asked}' is not a mode (shadow, assist or autonomous)")
    if asked not in careful_enough(served.procedure.mode):
        raise ModeRefused(served, asked)
    return asked
