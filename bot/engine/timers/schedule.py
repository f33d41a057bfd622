"""``schedule``: a procedure's cron trigger fires (late if sopbot was down, never dropped)."""

from __future__ import annotations

from bot.engine.timers.context import TimerContext
from storage.models import Timer


def handle(ctx: TimerContext, timer: Timer) -> None:
    """Start the scheduled run and arm the next one."""
    ctx.starter.fire_schedule(timer)
