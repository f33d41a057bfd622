"""Run and approval states, and which of them are final."""

from __future__ import annotations

from enum import StrEnum


class RunStatus(StrEnum):
    RUNNING = "running"
    WAITING_TIMER = "waiting_timer"
    WAITING_APPROVAL = "waiting_approval"
    WAITING_HUMAN = "waiting_human"
    COMPLETED = "completed"
    ESCALATED = "escalated"
    REJECTED = "rejected"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset(
    {
        RunStatus.COMPLETED,
        RunStatus.ESCALATED,
        RunStatus.REJECTED,
        RunStatus.FAILED,
        RunStatus.CANCELLED,
    }
)


class TimerKind(StrEnum):
    ADVANCE = "advance"
    APPROVAL_TIMEOUT = "approval_timeout"
    REMINDER = "reminder"
    SLA = "sla"
    NOTIFY = "notify"
    SCHEDULE = "schedule"


# Timers that wake or act on a run (all but its outgoing messages).
RUN_TIMER_KINDS = (TimerKind.ADVANCE, TimerKind.APPROVAL_TIMEOUT, TimerKind.REMINDER, TimerKind.SLA)

BOT_ACTOR = "sopbot"
