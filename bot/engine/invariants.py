"""Promise 1, checkable: every unfinished run waits on exactly one thing that will wake it."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.engine.status import FINISHED, RunStatus, TimerKind
from storage.models import Approval, Run, Timer

_TIMER_STATES = (RunStatus.RUNNING, RunStatus.WAITING_TIMER)
_PERSON_STATES = (RunStatus.WAITING_APPROVAL, RunStatus.WAITING_HUMAN)


def stuck_runs(session: Session) -> list[str]:
    """A line per unfinished run that waits on nothing, or on more than one thing."""
    advance = Counter(
        session.scalars(
            select(Timer.run_id).where(
                Timer.kind == TimerKind.ADVANCE, Timer.status.in_(("pending", "claimed"))
            )
        )
    )
    waiting = Counter(session.scalars(select(Approval.run_id).where(Approval.status == "pending")))
    problems: list[str] = []
    for run in session.scalars(
        select(Run).where(Run.status.not_in([str(status) for status in FINISHED]))
    ):
        timers, people = advance[run.id], waiting[run.id]
        if run.status in _TIMER_STATES and (timers, people) != (1, 0):
            problems.append(
                f"{run.id} is {run.status} with {timers} wake-up timer(s) and {people} open approval(s)"
            )
        elif run.status in _PERSON_STATES and (timers, people) != (0, 1):
            problems.append(
                f"{run.id} is {run.status} with {people} open approval(s) and {timers} wake-up timer(s)"
            )
        elif run.status not in _TIMER_STATES + _PERSON_STATES:
            problems.append(f"{run.id} has the unknown status {run.status}")
    return problems
