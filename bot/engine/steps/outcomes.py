"""Applying an SOP's failure, timeout and rejection rules, and escalating with a handoff."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.chat.messages import Message
from bot.engine.handoff import handoff_card, handoff_package
from bot.engine.notify import fan_out, queue_message, tell_thread
from bot.engine.status import BOT_ACTOR, RunStatus
from bot.engine.steps.env import StepEnv
from bot.engine.targets import TargetError, resolve_targets
from bot.engine.work import Continue, Finish, RunWork, Sleep, Transition
from bot.identity import mentions
from bot.procedure import expressions
from bot.procedure.outcomes import FailureRule, Outcome
from bot.procedure.steps import StepBase
from storage import audit

LONGEST_RETRY_AFTER = dt.timedelta(days=1)
"""A tool that asks to wait longer is not waited for: the failure rule's outcome comes now
(a wait of years would also overflow the calendar)."""


def apply_failure(
    env: StepEnv,
    work: RunWork,
    step: StepBase,
    rule: FailureRule | None,
    reason: str,
    *,
    retryable: bool,
    retry_after: float | None = None,
) -> Transition:
    """Retry with backoff while the rule allows and the error is worth retrying, then the outcome."""
    retry = rule.retry if rule else None
    if retry_after is not None and not retry_after <= LONGEST_RETRY_AFTER.total_seconds():
        retryable = False
    if retryable and retry is not None and work.attempt < retry.attempts:
        delay = min(retry.backoff * (retry.factor**work.attempt), retry.max_backoff)
        if retry_after is not None:
            delay = max(delay, dt.timedelta(seconds=retry_after))
        work.attempt += 1
        work.meta.last_error = reason
        return Sleep(work.now() + delay)
    if rule is None:
        return escalate(env, work, f"{step.id} failed and has no failure rule: {reason}")
    return apply_outcome(env, work, step, rule, reason)


def apply_outcome(
    env: StepEnv, work: RunWork, step: StepBase, outcome: Outcome, reason: str
) -> Transition:
    """escalate, skip, stop or goto, as the SOP says; an escalation in the SOP's own words
    still hands over ``reason`` (what the tool said, who rejected and why)."""
    why = _render_reason(work, outcome.reason) or reason
    if outcome.then == "escalate":
        return escalate(env, work, why, outcome.to, cause=reason if why != reason else None)
    if outcome.then == "skip":
        work.meta.passed(step.id, "skipped after failure")
        return Continue(work.following(step))
    if outcome.then == "goto":
        return Continue(outcome.goto)
    return Finish(RunStatus.FAILED, why)


def escalate(
    env: StepEnv,
    work: RunWork,
    reason: str,
    targets: list[str] | None = None,
    context: dict[str, str] | None = None,
    *,
    cause: str | None = None,
) -> Finish:
    """Hand the run to people with the full package; the run ends escalated."""
    return Finish(
        RunStatus.ESCALATED, announce_escalation(env, work, reason, targets, context, cause=cause)
    )


def announce_escalation(
    env: StepEnv,
    work: RunWork,
    reason: str,
    targets: list[str] | None = None,
    context: dict[str, str] | None = None,
    *,
    cause: str | None = None,
) -> str:
    """Alert the targets with the handoff package; returns the reason as recorded.
    ``cause`` is what the reason stands for when the SOP words it (the tool's own error)."""
    procedure = work.procedure
    chosen = targets or (procedure.escalation.to if procedure.escalation else [procedure.owner])
    try:
        resolved = resolve_targets(
            chosen, procedure, work.run.started_by, work.expression_context()
        )
    except (TargetError, ValueError) as error:
        resolved = [procedure.owner]
        reason = f"{reason} (escalation target problem: {error}; sent to the owner)"
    package = handoff_package(work, reason, context, cause)
    card = handoff_card(package)
    now = work.now()
    destinations = fan_out(resolved, env.runtime.directory)

    def record(session: Session) -> None:
        audit.append(
            session,
            at=now,
            actor=BOT_ACTOR,
            action="escalate",
            outcome="escalated",
            run_id=work.run.id,
            step_id=work.cursor,
            detail={"to": resolved, "handoff": package},
            reason=reason,
        )
        for destination in destinations:
            queue_message(
                session,
                Message(to=destination, text=f"Escalated: {reason}", card=card, kind="alert"),
                now=now,
                run_id=work.run.id,
            )
        tell_thread(session, work.run, f"Escalated to {mentions(resolved)}: {reason}", now=now)

    work.later(record)
    return reason


def _render_reason(work: RunWork, template: str | None) -> str | None:
    if not template:
        return None
    try:
        return str(expressions.render(template, work.expression_context()))
    except expressions.ExpressionError:
        return template
