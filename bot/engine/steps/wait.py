"""Waits: a fixed pause, or a condition re-checked at set times (7, 14 and 30 days) with a
fresh read before each check and an optional reminder while it is still false.

A run woken late (sopbot was not running) finds several checks due at once: it reads and
tests once, and its reminders catch up as the wait's ``catch_up`` says, each one telling its
reader how late it is (``bot.engine.catch_up``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.catalogue.operation import Operation
from bot.engine import catch_up
from bot.engine.state import WaitProgress
from bot.engine.steps.calling import prepare, settle
from bot.engine.steps.env import StepEnv
from bot.engine.steps.outcomes import apply_outcome, escalate
from bot.engine.work import Continue, RunWork, Sleep, Transition
from bot.procedure import expressions
from bot.procedure.outcomes import Outcome
from bot.procedure.steps import ActionCall, Wait, WaitStep

_NO_RESULT = object()


def run_wait(env: StepEnv, work: RunWork, step: WaitStep) -> Transition:
    """Enter, or wake inside, a wait step."""
    waits = work.meta.waits
    now = work.now()
    entered = step.id not in waits
    if entered:
        waits[step.id] = WaitProgress(since=now.isoformat())
    since = dt.datetime.fromisoformat(waits[step.id].since)
    wait = step.wait
    if wait.for_ is not None:
        due = since + wait.for_
        return _leave(work, step) if now >= due else Sleep(due)
    return _check(env, work, step, wait, since, now, entered)


def _check(
    env: StepEnv,
    work: RunWork,
    step: WaitStep,
    wait: Wait,
    since: dt.datetime,
    now: dt.datetime,
    entered: bool,
) -> Transition:
    if wait.refresh is not None:
        problem = _call(env, work, step, wait.refresh)
        if problem is not None:
            return problem
    assert wait.until is not None
    try:
        met = expressions.test(wait.until, work.expression_context())
    except expressions.ExpressionError as error:
        return escalate(env, work, f"cannot check the wait {step.id}: {error}")
    if met:
        return _leave(work, step)
    state = work.meta.waits[step.id]
    if not entered and wait.while_waiting is not None:
        # Kept until the catch-up is done: a run replayed after a crash or retried after a
        # failed reminder sends the same reminders, and none it already sent.
        state.woke = state.woke or now.isoformat()
        now = dt.datetime.fromisoformat(state.woke)
        for follow_up in catch_up.follow_ups(
            _due_checks(wait, since, state, now), now, wait.catch_up
        ):
            problem = _call(env, work, step, wait.while_waiting, follow_up.note)
            if problem is not None:
                return problem
            state.sent_through = follow_up.due.isoformat()
    upcoming = next_check(wait, since, now)
    if upcoming is None:
        work.meta.waits.pop(step.id, None)
        outcome = wait.on_timeout or Outcome(then="escalate")
        return apply_outcome(
            env,
            work,
            step,
            outcome,
            f"{step.id}: still waiting for '{wait.until}' after {now - since}",
        )
    state.woke = state.sent_through = None
    state.next = upcoming.isoformat()
    return Sleep(upcoming)


def next_check(wait: Wait, since: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """The next check after ``now``, or None once the wait has run out."""
    limit = _limit(wait, since)
    if wait.check_at:
        candidates = [since + offset for offset in sorted(wait.check_at)]
    else:
        assert wait.check_every is not None
        elapsed = max(now - since, dt.timedelta())
        candidates = [since + wait.check_every * (int(elapsed / wait.check_every) + 1)]
    for candidate in candidates:
        if candidate > now and (limit is None or candidate <= limit):
            return candidate
    return None


def checks_between(
    wait: Wait, since: dt.datetime, start: dt.datetime, end: dt.datetime
) -> list[dt.datetime]:
    """The wait's check times from ``start`` to ``end`` (both included), within its limit."""
    limit = _limit(wait, since)
    last = end if limit is None else min(end, limit)
    if wait.check_at:
        return [
            check
            for check in sorted(since + offset for offset in wait.check_at)
            if start <= check <= last
        ]
    assert wait.check_every is not None
    check = since + wait.check_every * max(1, -((since - start) // wait.check_every))
    checks: list[dt.datetime] = []
    while check <= last:
        checks.append(check)
        check += wait.check_every
    return checks


def _limit(wait: Wait, since: dt.datetime) -> dt.datetime | None:
    if wait.timeout:
        return since + wait.timeout
    if wait.check_at:
        return since + max(wait.check_at)
    return None


def _due_checks(
    wait: Wait, since: dt.datetime, state: WaitProgress, now: dt.datetime
) -> list[dt.datetime]:
    """The checks this wake stands for, from the one it slept until up to ``now``, less
    those whose reminder already went out."""
    if state.next is None:  # a run that went to sleep before checks were remembered
        return [now]
    checks = checks_between(wait, since, dt.datetime.fromisoformat(state.next), now)
    sent = state.sent_through
    return [check for check in checks if sent is None or check > dt.datetime.fromisoformat(sent)]


def _call(
    env: StepEnv, work: RunWork, step: WaitStep, call: ActionCall, note: str = ""
) -> Transition | None:
    prepared = prepare(env, work, step, call, step.on_failure)
    if not isinstance(prepared, tuple):
        return prepared
    operation, arguments = prepared
    if note:
        arguments = _with_note(operation, arguments, note)
    result = env.caller.call(work, step_id=step.id, operation=operation, arguments=arguments)
    return settle(env, work, step, call, step.on_failure, operation, result)


def _leave(work: RunWork, step: WaitStep) -> Transition:
    work.meta.waits.pop(step.id, None)
    return Continue(work.following(step))


def _with_note(operation: Operation, arguments: dict[str, Any], note: str) -> dict[str, Any]:
    """The arguments with ``note`` added to the text a person reads last (a message's text,
    an email's body), so a late reminder says so itself."""
    if not operation.text_args:
        return arguments
    name = operation.text_args[-1]
    text = str(arguments.get(name) or "").rstrip()
    return {**arguments, name: f"{text}\n\n{note}" if text else note}
