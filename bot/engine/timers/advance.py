"""``advance``: move a run on from its cursor (see ``bot.engine.executor``)."""

from __future__ import annotations

from bot.engine.timers.context import TimerContext
from storage.models import Timer
from storage.timers import Claim


def handle(ctx: TimerContext, timer: Timer) -> None:
    """Advance the timer's run as the holder of its claim."""
    assert timer.run_id is not None
    ctx.executor.advance(timer.run_id, Claim.of(timer))
