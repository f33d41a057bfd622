"""``approval_timeout``: nobody decided an approval, task or choice in time; its rule
applies (a choice's default option, or an escalation when it has none)."""

from __future__ import annotations

from typing import Any

from bot.engine.executor import RunConflict, schedule_advance
from bot.engine.notify import tell_thread
from bot.engine.state import PendingOutcome, read_stored, to_stored
from bot.engine.status import BOT_ACTOR, FINISHED, RunStatus, TimerKind
from bot.engine.steps.approval import approval_card
from bot.engine.timers.context import TimerContext
from bot.library import pinned_procedure
from bot.procedure.outcomes import Outcome
from bot.procedure.steps import ApprovalStep, Option, choice_of, task_of
from storage import audit, runs, timers
from storage.models import Timer


def handle(ctx: TimerContext, timer: Timer) -> None:
    """Time the approval out and let the run apply its ``on_timeout`` rule."""
    now = ctx.runtime.clock.now()
    with ctx.runtime.database.session() as session:
        approval = ctx.decisions.time_out(session, timer.payload["approval_id"], now)
        run = runs.get_run(session, approval.run_id) if approval else None
        if approval is not None and run is not None and run.status not in FINISHED:
            procedure = pinned_procedure(ctx.runtime.database, run.sop_hash)
            step = procedure.steps[procedure.step_index()[approval.step_id]]
            rule, default = _timeout_rule(step), _default_of(step)
            values, meta = read_stored(run.state)
            meta.awaiting = None
            meta.apply_outcome = PendingOutcome(
                outcome=rule.model_dump(mode="json", by_alias=True),
                reason=f"nobody decided {approval.id} in time "
                f"(due {approval.due_at:%Y-%m-%d %H:%M} UTC)",
            )
            state = to_stored(values, meta)
            if not runs.cas_update_run(
                session,
                run.id,
                expected_version=run.version,
                now=now,
                state=state,
                status=RunStatus.RUNNING,
                waiting_on="timer",
            ):
                raise RunConflict(f"run {run.id} changed during the timeout")
            schedule_advance(session, run.id, due_at=now, now=now)
            timers.cancel(session, run_id=run.id, kinds=[TimerKind.REMINDER])
            audit.append(
                session,
                at=now,
                actor=BOT_ACTOR,
                action=f"{approval.kind}.timeout",
                outcome="timed_out",
                run_id=run.id,
                step_id=approval.step_id,
                detail={"approval": approval.id}
                | ({"default": default.label} if default is not None else {}),
            )
            follows = f"took the default, “{default.label}”" if default is not None else rule.then
            footer = f"Timed out at {now:%Y-%m-%d %H:%M} UTC: {follows}"
            tell_thread(
                session,
                run,
                footer,
                now=now,
                card=approval_card(approval, decided=footer),
                fallback=approval.deciders[0],
                approval_id=approval.id,
                replace_card=True,
            )
        ctx.complete(timer, session)


def _timeout_rule(step: Any) -> Outcome:
    if isinstance(step, ApprovalStep) and step.approval.on_timeout is not None:
        return step.approval.on_timeout
    task = task_of(step)
    if task is not None and task.on_timeout is not None:
        return task.on_timeout
    default = _default_of(step)
    if default is not None:
        return Outcome(then="goto", goto=default.goto)
    return Outcome(then="escalate")


def _default_of(step: Any) -> Option | None:
    """The option a timed-out choice takes; None for other steps and a choice without one."""
    choice = choice_of(step)
    return choice.default_option() if choice is not None else None
