"""Taking a broken timer out: a timer whose handling failed, or that kept stopping the
workers that held it, is closed and its run escalated to a person, in one transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.chat.messages import Message
from bot.engine import sla
from bot.engine.executor import RunConflict
from bot.engine.notify import close_thread, fan_out, queue_message
from bot.engine.status import BOT_ACTOR, FINISHED, RunStatus, TimerKind
from bot.engine.targets import TargetError, resolve_targets
from bot.engine.timers.context import TimerContext, log
from bot.library import pinned_procedure
from bot.procedure.expressions import ExpressionError
from bot.procedure.model import Procedure
from storage import approvals, audit, journal, runs, timers
from storage.models import Run, Timer
from storage.outages import describe, retrying
from storage.timers import Claim

QUARANTINE_AFTER = 3
"""A timer taken over from this many holders in a row (each died or hung with it) is not
handed to another worker: its run is escalated instead."""


def fail(
    ctx: TimerContext, claim: Claim, kind: str, run_id: str | None, error: Exception, reference: str
) -> None:
    """Nothing stuck: a timer that broke is closed and its run escalated to a person.

    What people see names the kind of error and where the details are (the worker log,
    under ``reference``), never the error's text: that may hold SQL or the run's data.
    """
    _take_out(
        ctx,
        claim,
        kind,
        run_id,
        outcome="error",
        reason=f"sopbot hit an internal error ({type(error).__name__}; error {reference} "
        "in the worker log) while working on this run. A person must take over",
    )


def set_aside(ctx: TimerContext, timer: Timer, claim: Claim) -> None:
    """A timer whose holders kept dying (their leases ran out mid-work) is not passed on
    to yet another worker: its run is escalated, untouched, for a person to look at."""
    log.error(
        "timer %s (%s) of run %s stopped %d workers: set aside",
        timer.id,
        timer.kind,
        timer.run_id,
        timer.takeovers,
    )
    _take_out(
        ctx,
        claim,
        timer.kind,
        timer.run_id,
        outcome="quarantined",
        reason=f"set aside after it stopped {timer.takeovers} workers in a row (each "
        "stopped mid-work and its lease ran out). Nothing more was done; a person must "
        "look at the run before finishing it by hand",
    )


def _take_out(
    ctx: TimerContext, claim: Claim, kind: str, run_id: str | None, *, outcome: str, reason: str
) -> None:
    """Close the timer and escalate its run in one transaction, or do neither: a timer
    another worker holds now is left to it, and a run that changed meanwhile is read
    again, so the run is never left with nothing to wake it."""

    def transaction() -> None:
        for _ in range(3):
            try:
                with ctx.runtime.database.session() as session:
                    _escalate_broken(ctx, session, claim, kind, run_id, outcome, reason)
                return
            except RunConflict:
                continue  # the run moved between our read and our write: read it again
        raise RunConflict(f"run {run_id} kept changing; its timer is left to be retried")

    try:
        retrying(transaction, what=f"escalating run {run_id}")
    except Exception as error:  # the lease runs out and the timer is tried again
        log.error("could not close timer %s: %s", claim.timer_id, describe(error))


def _escalate_broken(
    ctx: TimerContext,
    session: Session,
    claim: Claim,
    kind: str,
    run_id: str | None,
    outcome: str,
    reason: str,
) -> None:
    now = ctx.runtime.clock.now()
    if not timers.complete(session, claim, now=now):
        return  # another worker holds the timer now; the run is its business
    audit.append(
        session,
        at=now,
        actor=BOT_ACTOR,
        action=f"timer.{kind}",
        outcome=outcome,
        run_id=run_id,
        detail={"timer": claim.timer_id},
        reason=reason,
    )
    run = runs.get_run(session, run_id) if run_id else None
    if run is None or run.status in FINISHED or kind == TimerKind.NOTIFY:
        return
    procedure = _procedure_for_alerts(ctx, run)
    cut_off = journal.unfinished_step(session, run.id)
    if cut_off is not None:  # nobody will repeat it now: its outcome is for a person to check
        maybe = f"{cut_off.step_id} ({cut_off.operation}) may or may not have happened"
        journal.finish_step(
            session,
            cut_off.id,
            status="unknown",
            response=None,
            error=f"the run was taken out during this call: {maybe}",
            now=now,
        )
        reason = f"{reason}. {maybe}: check the tool"
    if not runs.cas_update_run(
        session,
        run.id,
        expected_version=run.version,
        now=now,
        status=RunStatus.ESCALATED,
        waiting_on=None,
        finished_at=now,
        reason=reason,
    ):
        raise RunConflict(f"run {run.id} changed while it was being escalated")
    for pending in approvals.pending_for_run(session, run.id):
        approvals.cas_decide(
            session, pending.id, status="cancelled", decided_by=None, reason=reason, at=now
        )
    sla.close_out(session, run.id, now=now)
    close_thread(session, run, f"Run {run.id} escalated: {reason}", now=now)
    if procedure is None:
        return
    targets = procedure.escalation.to if procedure.escalation else [procedure.owner]
    try:
        concrete = resolve_targets(targets, procedure, run.started_by, {})
    except (TargetError, ExpressionError):
        concrete = [procedure.owner]
    for destination in fan_out(concrete, ctx.runtime.directory):
        queue_message(
            session,
            Message(
                to=destination,
                text=f"Run {run.id} ({procedure.title}): {reason}",
                kind="alert",
            ),
            now=now,
            run_id=run.id,
        )


def _procedure_for_alerts(ctx: TimerContext, run: Run) -> Procedure | None:
    """Who to tell about a broken run: its pinned version's escalation, or, when that
    version is what broke, the one the library serves now."""
    try:
        return pinned_procedure(ctx.runtime.database, run.sop_hash)
    except Exception:
        log.exception("run %s: its pinned SOP version cannot be read", run.id)
    try:
        return ctx.runtime.library.find(run.sop_id).procedure
    except Exception:
        log.error("run %s: no version of %s is served; nobody is alerted", run.id, run.sop_id)
        return None
