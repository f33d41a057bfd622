"""Follow-ups that fell due while sopbot was not running: a worker down from day 6 to day 15
owes the day-7 and the day-14 reminders. A step's ``catch_up`` says what it gets: ``each``
of them, each saying how late it is, or only the newest (``latest``), saying how many were
skipped. Either way nobody is left to guess why a reminder arrives a week late."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.procedure.model import Procedure
from bot.procedure.steps import ApprovalStep, CatchUp, task_of

ON_TIME = dt.timedelta(minutes=1)
"""A follow-up sent within this of its time is on time (workers poll every second or so)."""


@dataclass(frozen=True)
class FollowUp:
    """One follow-up to send now: when it was due, and what to tell its reader about that."""

    due: dt.datetime
    note: str
    """Empty when it goes out on time; otherwise one sentence on its lateness."""


def follow_ups(dues: Sequence[dt.datetime], now: dt.datetime, policy: CatchUp) -> list[FollowUp]:
    """The follow-ups to send at ``now`` for those due at ``dues`` (oldest first)."""
    if not dues:
        return []
    if policy == "each":
        return [FollowUp(due, _late(due, now)) for due in dues]
    newest, skipped = dues[-1], dues[:-1]
    return [
        FollowUp(newest, " ".join(part for part in (_late(newest, now), _skipped(skipped)) if part))
    ]


def every_due(
    first: dt.datetime, every: dt.timedelta, now: dt.datetime, until: dt.datetime | None
) -> list[dt.datetime]:
    """Due times of a repeating reminder from ``first`` up to ``now``, all before ``until``."""
    dues: list[dt.datetime] = []
    due = first
    while due <= now and (until is None or due < until):
        dues.append(due)
        due += every
    return dues


def next_after(first: dt.datetime, every: dt.timedelta, now: dt.datetime) -> dt.datetime:
    """The first due time of a repeating reminder after ``now``, on its own beat."""
    if now < first:
        return first
    return first + every * (int((now - first) / every) + 1)


def policy_of(procedure: Procedure, step_id: str) -> CatchUp:
    """The ``catch_up`` of the reminders of the approval or task step ``step_id``."""
    step = procedure.steps[procedure.step_index()[step_id]]
    if isinstance(step, ApprovalStep):
        return step.approval.catch_up
    task = task_of(step)
    return task.catch_up if task is not None else "each"


def _late(due: dt.datetime, now: dt.datetime) -> str:
    if now - due < ON_TIME:
        return ""
    return (
        f"This reminder was due {_moment(due)} and is sent {_span(now - due)} late "
        "because sopbot was not running."
    )


def _skipped(dues: Sequence[dt.datetime]) -> str:
    if not dues:
        return ""
    if len(dues) == 1:
        return f"1 earlier reminder (due {_moment(dues[0])}) was skipped."
    return (
        f"{len(dues)} earlier reminders (due {_moment(dues[0])} to {_moment(dues[-1])}) "
        "were skipped."
    )


def _moment(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return f"{aware.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def _span(delta: dt.timedelta) -> str:
    for unit, size in (("day", dt.timedelta(days=1)), ("hour", dt.timedelta(hours=1))):
        if delta >= size:
            count = int(delta / size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    minutes = max(1, int(delta / dt.timedelta(minutes=1)))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
