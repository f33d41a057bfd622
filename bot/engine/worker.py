"""The worker: claim due timers from the database and do what each one says.

Any number of workers, in one process or many, may run this at once: a timer is claimed
by exactly one of them (with a lease), and a run only moves through compare-and-set.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.chat.messages import Message
from bot.engine import catch_up, sla
from bot.engine.decisions import Decisions
from bot.engine.executor import Executor, LeaseLost, RunConflict, schedule_advance
from bot.engine.notify import deliver, fan_out, queue_message, tell_thread
from bot.engine.runtime import Runtime
from bot.engine.starting import Starter
from bot.engine.state import PendingOutcome, read_stored, to_stored
from bot.engine.status import BOT_ACTOR, FINISHED, RunStatus, TimerKind
from bot.engine.steps.approval import approval_card
from bot.engine.targets import TargetError, resolve_targets
from bot.engine.work import RunWork
from bot.library import pinned_procedure
from bot.procedure.expressions import ExpressionError
from bot.procedure.model import Procedure
from bot.procedure.outcomes import Outcome
from bot.procedure.steps import ApprovalStep, TaskStep
from storage import approvals, audit, journal, runs, timers
from storage import sla as sla_rows
from storage.journal import CallId
from storage.models import Run, StepRecord, Timer
from storage.outages import DatabaseOutage, describe, is_outage, retrying
from storage.timers import Claim

log = logging.getLogger(__name__)
QUARANTINE_AFTER = 3
"""A timer taken over from this many holders in a row (each died or hung with it) is not
handed to another worker: its run is escalated instead."""


@dataclass
class Worker:
    runtime: Runtime
    executor: Executor
    decisions: Decisions
    starter: Starter

    def run_due(self, *, batch: int = 50, max_rounds: int = 1000) -> int:
        """Handle every timer due now (several rounds, as handling makes new work). Returns the count."""
        handled = 0
        for _ in range(max_rounds):
            now = self.runtime.clock.now()
            with self.runtime.database.session() as session:
                claimed = timers.claim_due(
                    session,
                    now=now,
                    owner=self.runtime.worker_id,
                    lease=self.runtime.lease,
                    limit=batch,
                )
            if not claimed:
                return handled
            self._deliver([timer for timer in claimed if timer.kind == TimerKind.NOTIFY])
            for timer in claimed:
                if timer.kind != TimerKind.NOTIFY:
                    self.handle(timer)
            handled += len(claimed)
        return handled

    def _deliver(self, messages: list[Timer]) -> None:
        """Post queued messages (each recorded as delivered right after its post), then mark
        them all done in one transaction. A message the chat refused stays claimed and is
        tried again once its lease runs out; one already delivered is not posted again."""
        delivered: list[int] = []
        for timer in messages:
            try:
                deliver(self.runtime.chat, self.runtime.database, timer)
            except Exception as error:
                if is_outage(error):  # tried again at once, not after the lease
                    log.warning("message timer %s left for later: %s", timer.id, describe(error))
                    self._give_back(Claim.of(timer))
                    continue
                log.exception(
                    "could not deliver message timer %s; it will be tried again", timer.id
                )
                continue
            delivered.append(timer.id)
        if delivered:

            def complete() -> None:
                with self.runtime.database.session() as session:
                    timers.complete_many(
                        session,
                        delivered,
                        owner=self.runtime.worker_id,
                        now=self.runtime.clock.now(),
                    )

            retrying(complete, what="completing delivered messages")

    def handle(self, timer: Timer) -> None:
        """One claimed timer; an unexpected error escalates the run instead of killing the
        worker, and a timer that has already stopped several workers is set aside."""
        claim = Claim.of(timer)
        if timer.takeovers >= QUARANTINE_AFTER and timer.kind != TimerKind.NOTIFY:
            self._guarded(claim, timer.kind, timer.run_id, lambda: self._set_aside(timer, claim))
            return
        self._guarded(claim, timer.kind, timer.run_id, lambda: self._dispatch(timer))

    def handle_advance(self, run: Run, claim: Claim) -> None:
        """Advance a run this process just created, holding its first timer."""
        self._guarded(
            claim,
            TimerKind.ADVANCE,
            run.id,
            lambda: self.executor.advance(run.id, claim, fresh=run),
        )

    def _guarded(
        self, claim: Claim, kind: str, run_id: str | None, work: Callable[[], None]
    ) -> None:
        try:
            work()
        except RunConflict as conflict:
            log.info("backing off: %s", conflict)
            self._give_back(claim)
        except Exception as error:
            if is_outage(error):
                log.warning(
                    "timer %s (%s) left for later: %s", claim.timer_id, kind, describe(error)
                )
                self._give_back(claim)
                return
            reference = uuid.uuid4().hex[:8]
            log.exception("timer %s (%s) failed [error %s]", claim.timer_id, kind, reference)
            self._fail(claim, kind, run_id, error, reference)

    def _give_back(self, claim: Claim) -> None:
        """Release a claim so the timer is tried again at once; if the database stays out,
        its lease runs out instead and the timer is claimable then."""

        def release() -> None:
            with self.runtime.database.session() as session:
                timers.release(session, claim)

        try:
            retrying(release, what=f"releasing timer {claim.timer_id}")
        except DatabaseOutage as outage:
            log.warning("could not release timer %s: %s", claim.timer_id, outage)

    def _dispatch(self, timer: Timer) -> None:
        kind = timer.kind
        if kind == TimerKind.ADVANCE:
            assert timer.run_id is not None
            self.executor.advance(timer.run_id, Claim.of(timer))
        elif kind == TimerKind.NOTIFY:
            self._deliver([timer])
        elif kind == TimerKind.APPROVAL_TIMEOUT:
            self._time_out(timer)
        elif kind == TimerKind.REMINDER:
            self._remind(timer)
        elif kind == TimerKind.SLA:
            self._sla(timer)
        elif kind == TimerKind.SCHEDULE:
            self.starter.fire_schedule(timer)
        else:
            raise ValueError(f"unknown timer kind {kind}")

    def _complete(self, timer: Timer, session: Session | None = None) -> None:
        now = self.runtime.clock.now()
        if session is not None:
            if not timers.complete(session, Claim.of(timer), now=now):
                raise LeaseLost(f"the lease on timer {timer.id} was taken over")
            return
        with self.runtime.database.session() as fresh:
            timers.complete(fresh, Claim.of(timer), now=now)

    def _time_out(self, timer: Timer) -> None:
        now = self.runtime.clock.now()
        with self.runtime.database.session() as session:
            approval = self.decisions.time_out(session, timer.payload["approval_id"], now)
            run = runs.get_run(session, approval.run_id) if approval else None
            if approval is not None and run is not None and run.status not in FINISHED:
                procedure = pinned_procedure(self.runtime.database, run.sop_hash)
                step = procedure.steps[procedure.step_index()[approval.step_id]]
                rule = _timeout_rule(step)
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
                    detail={"approval": approval.id},
                )
                footer = f"Timed out at {now:%Y-%m-%d %H:%M} UTC: {rule.then}"
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
            self._complete(timer, session)

    def _remind(self, timer: Timer) -> None:
        """Nudge the people an approval or task waits on, on the reminder's own beat; those
        that fell due while no worker ran are caught up as the step's ``catch_up`` says."""
        now = self.runtime.clock.now()
        with self.runtime.database.session() as session:
            approval = approvals.get_approval(session, timer.payload["approval_id"])
            run = runs.get_run(session, approval.run_id) if approval is not None else None
            if approval is not None and run is not None and approval.status == "pending":
                every = dt.timedelta(seconds=timer.payload["every"])
                procedure = pinned_procedure(self.runtime.database, run.sop_hash)
                text = (
                    f"Reminder: {approval.kind} {approval.id} is waiting for you: "
                    f"{approval.package['summary']} (due {approval.due_at:%Y-%m-%d %H:%M} UTC)"
                )
                dues = catch_up.every_due(timer.due_at, every, now, until=approval.due_at)
                policy = catch_up.policy_of(procedure, approval.step_id)
                for follow_up in catch_up.follow_ups(dues, now, policy):
                    for destination in fan_out(list(approval.deciders), self.runtime.directory):
                        message = Message(to=destination, text=f"{text} {follow_up.note}".rstrip())
                        queue_message(session, message, now=now, run_id=approval.run_id)
                upcoming = catch_up.next_after(timer.due_at, every, now)
                if upcoming < approval.due_at:
                    timers.schedule(
                        session,
                        kind=TimerKind.REMINDER,
                        due_at=upcoming,
                        now=now,
                        run_id=approval.run_id,
                        payload=timer.payload,
                    )
            self._complete(timer, session)

    def _sla(self, timer: Timer) -> None:
        assert timer.run_id is not None
        database = self.runtime.database
        link = f"{timer.payload['clock']}:{timer.payload['event']}{timer.payload['index']}"
        with database.session(read_only=True) as session:
            run = runs.get_run(session, timer.run_id)
            running = {row.clock_id for row in sla_rows.running_clocks(session, timer.run_id)}
            earlier = journal.calls_of(session, timer.run_id, journal.OWNER_SLA, link)
        if run is None:
            self._complete(timer)
            return
        procedure = pinned_procedure(database, run.sop_hash)
        work = RunWork.of(
            run, procedure, self.runtime.clock.now, self.runtime.secrets, self.runtime.catalogue
        )
        work.claim = Claim.of(timer)
        if run.status in FINISHED or timer.payload["clock"] not in running:
            self._after_crash(work, earlier, link)  # the owner still hears of a call cut off
            self._side_commit(work, complete=True)
            return
        caller = self.runtime.caller(self._side_flush, self.executor.renew)
        actions = sla.fire(work, timer.payload, self.runtime.directory)
        if earlier:  # the cut-off try already committed this link's alerts with its first call
            work.pending.clear()
        self._after_crash(work, earlier, link)
        tried = {record.call_no for record in earlier}
        for position, (operation_name, arguments) in enumerate(actions):
            operation = self.runtime.catalogue.get(operation_name)
            call = CallId(run.id, link, position + 1, journal.OWNER_SLA)
            if operation is not None and call.call_no not in tried:  # at most once, ever
                caller.call(work, step_id=link, operation=operation, arguments=arguments, call=call)
        self._side_commit(work, complete=True)

    def _after_crash(self, work: RunWork, earlier: list[StepRecord], link: str) -> None:
        """This SLA link was cut off by a crash: its unfinished calls may or may not have
        happened, so they are closed as unknown and the owner told, never repeated."""
        unknown = [record for record in earlier if record.status == "started"]
        if not unknown:
            return
        now = work.now()
        names = ", ".join(str(record.operation) for record in unknown)
        text = (
            f"Run {work.run.id}: the SLA action(s) {names} of {link} were interrupted and may or may "
            "not have happened. Check the tool before doing them by hand."
        )

        def record(session: Session) -> None:
            for entry in unknown:
                journal.finish_step(
                    session,
                    entry.id,
                    status="unknown",
                    response=None,
                    error="the process stopped during this call",
                    now=now,
                )
            for destination in fan_out([work.procedure.owner], self.runtime.directory):
                queue_message(
                    session,
                    Message(to=destination, text=text, kind="alert"),
                    now=now,
                    run_id=work.run.id,
                )

        work.later(record)

    def _side_flush(self, work: RunWork) -> None:
        """Commit a run's journal and audit entries without touching the run itself."""
        self._side_commit(work, complete=False)

    def _side_commit(self, work: RunWork, *, complete: bool) -> None:
        """Work done beside the run (an SLA link): fenced by its own timer's claim, which it
        completes with ``complete``; tried again while the database is out."""
        claim = work.claim
        assert claim is not None

        def transaction() -> None:
            now = self.runtime.clock.now()
            with self.runtime.database.session() as session:
                held = (
                    timers.complete(session, claim, now=now)
                    if complete
                    else timers.hold(session, claim, until=now + self.runtime.lease)
                )
                if not held:
                    raise LeaseLost(f"the lease on timer {claim.timer_id} was taken over")
                for change in work.pending:
                    change(session)

        retrying(transaction, what=f"saving the SLA work of run {work.run.id}")
        work.pending = []

    def _fail(
        self, claim: Claim, kind: str, run_id: str | None, error: Exception, reference: str
    ) -> None:
        """Nothing stuck: a timer that broke is closed and its run escalated to a person.

        What people see names the kind of error and where the details are (the worker log,
        under ``reference``), never the error's text: that may hold SQL or the run's data.
        """
        self._take_out(
            claim,
            kind,
            run_id,
            outcome="error",
            reason=f"sopbot hit an internal error ({type(error).__name__}; error {reference} "
            "in the worker log) while working on this run. A person must take over",
        )

    def _set_aside(self, timer: Timer, claim: Claim) -> None:
        """A timer whose holders kept dying (their leases ran out mid-work) is not passed on
        to yet another worker: its run is escalated, untouched, for a person to look at."""
        log.error(
            "timer %s (%s) of run %s stopped %d workers: set aside",
            timer.id,
            timer.kind,
            timer.run_id,
            timer.takeovers,
        )
        self._take_out(
            claim,
            timer.kind,
            timer.run_id,
            outcome="quarantined",
            reason=f"set aside after it stopped {timer.takeovers} workers in a row (each "
            "stopped mid-work and its lease ran out). Nothing more was done; a person must "
            "look at the run before finishing it by hand",
        )

    def _take_out(
        self, claim: Claim, kind: str, run_id: str | None, *, outcome: str, reason: str
    ) -> None:
        """Close the timer and escalate its run in one transaction, or do neither: a timer
        another worker holds now is left to it, and a run that changed meanwhile is read
        again, so the run is never left with nothing to wake it."""

        def transaction() -> None:
            for _ in range(3):
                try:
                    with self.runtime.database.session() as session:
                        self._escalate_broken(session, claim, kind, run_id, outcome, reason)
                    return
                except RunConflict:
                    continue  # the run moved between our read and our write: read it again
            raise RunConflict(f"run {run_id} kept changing; its timer is left to be retried")

        try:
            retrying(transaction, what=f"escalating run {run_id}")
        except Exception as error:  # the lease runs out and the timer is tried again
            log.error("could not close timer %s: %s", claim.timer_id, describe(error))

    def _escalate_broken(
        self,
        session: Session,
        claim: Claim,
        kind: str,
        run_id: str | None,
        outcome: str,
        reason: str,
    ) -> None:
        now = self.runtime.clock.now()
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
        procedure = self._procedure_for_alerts(run)
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
        if procedure is None:
            return
        targets = procedure.escalation.to if procedure.escalation else [procedure.owner]
        try:
            concrete = resolve_targets(targets, procedure, run.started_by, {})
        except (TargetError, ExpressionError):
            concrete = [procedure.owner]
        for destination in fan_out(concrete, self.runtime.directory):
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

    def _procedure_for_alerts(self, run: Run) -> Procedure | None:
        """Who to tell about a broken run: its pinned version's escalation, or, when that
        version is what broke, the one the library serves now."""
        try:
            return pinned_procedure(self.runtime.database, run.sop_hash)
        except Exception:
            log.exception("run %s: its pinned SOP version cannot be read", run.id)
        try:
            return self.runtime.library.find(run.sop_id).procedure
        except Exception:
            log.error("run %s: no version of %s is served; nobody is alerted", run.id, run.sop_id)
            return None


def _timeout_rule(step: Any) -> Outcome:
    if isinstance(step, ApprovalStep) and step.approval.on_timeout is not None:
        return step.approval.on_timeout
    if isinstance(step, TaskStep) and step.task.on_timeout is not None:
        return step.task.on_timeout
    return Outcome(then="escalate")
