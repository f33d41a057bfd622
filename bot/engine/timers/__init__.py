"""Due work, one module per timer kind, as steps have one module per step kind.

``HANDLERS`` maps each kind to the function that does it; the worker claims a timer and
calls its handler, nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.engine.status import TimerKind
from bot.engine.timers import advance, approval_timeout, messages, reminder, schedule, sla_link
from bot.engine.timers.context import TimerContext
from storage.models import Timer

TimerHandler = Callable[[TimerContext, Timer], None]

HANDLERS: Mapping[str, TimerHandler] = {
    TimerKind.ADVANCE: advance.handle,
    TimerKind.NOTIFY: messages.handle,
    TimerKind.APPROVAL_TIMEOUT: approval_timeout.handle,
    TimerKind.REMINDER: reminder.handle,
    TimerKind.SLA: sla_link.handle,
    TimerKind.SCHEDULE: schedule.handle,
}
