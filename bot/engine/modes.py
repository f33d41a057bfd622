"""Which mode a run gets: care only tightens at run time (DESIGN promise 10).

A starter may ask for a more careful mode than the procedure's (autonomous → assist →
shadow), to try it or to watch its writes, but never a less careful one: assist's one-click
confirmations and shadow's "would do" are the owners' decision, made by editing the SOP.
"""

from __future__ import annotations

from bot.engine.errors import EngineError
from bot.engine.policy import CARE, careful_enough, mode_refusal
from bot.library import ServedProcedure


class ModeRefused(EngineError):
    """The starter asked for a mode less careful than the procedure's own (the rule and its
    wording: ``bot.engine.policy.mode_refusal``)."""

    def __init__(self, served: ServedProcedure, asked: str, why: str) -> None:
        super().__init__(why)
        self.asked = asked
        self.allowed = careful_enough(served.procedure.mode)


def mode_for_run(served: ServedProcedure, asked: str | None) -> str:
    """The procedure's mode, or the more careful one the starter ``asked`` for.

    ``EngineError`` for a word that is no mode; ``ModeRefused`` for a less careful one.
    """
    if asked is None:
        return served.procedure.mode
    if asked not in CARE:
        raise EngineError(f"'{asked}' is not a mode (shadow, assist or autonomous)")
    why = mode_refusal(served.procedure, served.file, asked)
    if why is not None:
        raise ModeRefused(served, asked, why)
    return asked
