"""Waits: a fixed pause, or a condition re-checked at set times (7, 14 and 30 days) with a
fresh read before each check and an optional reminder while it is still false."""

from __future__ import annotations

import datetime as dt

from bot.engine.steps.action import prepare, settle
from bot.engine.steps.env import StepEnv
from bot.engine.steps.outcomes import apply_outcome, escalate
from bot.engine.work import Continue, RunWork, Sleep, Transition
from bot.procedure import expressions
from bot.procedure.outcomes import Outcome
from bot.procedure.steps import ActionCall, Wait, WaitStep

_NO_RESULT = object()


def run_wait(env: StepEnv, work: RunWork, step: WaitStep) -> Transition:
    """Enter, or wake inside, a wait step."""
    waits = work.meta.setdefault("wait", {})
    now = work.now()
    entered = step.id not in waits
    if entered:
        waits[step.id] = {"since": now.isoformat()}
    since = dt.datetime.fromisoformat(waits[step.id]["since"])
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
    if not entered and wait.while_waiting is not None:
        problem = _call(env, work, step, wait.while_waiting)
        if problem is not None:
            return problem
    upcoming = next_check(wait, since, now)
    if upcoming is None:
        work.meta["wait"].pop(step.id, None)
        outcome = wait.on_timeout or Outcome(then="escalate")
        return apply_outcome(
            env,
            work,
            step,
            outcome,
            f"{step.id}: still waiting for '{wait.until}' after {now - since}",
        )
    return Sleep(upcoming)


def next_check(wait: Wait, since: dt.datetime, now: dt.datetime) -> dt.datetime | None:
    """The next check after ``now``, or None once the wait has run out."""
    limit = since + wait.timeout if wait.timeout else None
    if wait.check_at:
        candidates = [since + offset for offset in sorted(wait.check_at)]
        if limit is None:
            limit = candidates[-1]
    else:
        assert wait.check_every is not None
        elapsed = max(now - since, dt.timedelta())
        count = int(elapsed / wait.check_every) + 1
        candidates = [since + wait.check_every * count]
    for candidate in candidates:
        if candidate > now and (limit is None or candidate <= limit):
            return candidate
    return None


def _call(env: StepEnv, work: RunWork, step: WaitStep, call: ActionCall) -> Transition | None:
    prepared = prepare(env, work, step, call, step.on_failure)
    if not isinstance(prepared, tuple):
        return prepared
    operation, arguments = prepared
    result = env.caller.call(work, step_id=step.id, operation=operation, arguments=arguments)
    return settle(env, work, step, call, step.on_failure, operation, result)


def _leave(work: RunWork, step: WaitStep) -> Transition:
    work.meta["wait"].pop(step.id, None)
    return Continue(work.following(step))
