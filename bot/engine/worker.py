"""The worker: claim due timers from the database and do what each one says.

Any number of workers, in one process or many, may run this at once: a timer is claimed
by exactly one of them (with a lease), and a run only moves through compare-and-set.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.chat.messages import Message
from bot.engine import catch_up, sla
from bot.engine.decisions import Decisions
from bot.engine.executor import Executor, RunConflict, schedule_advance
from bot.engine.notify import deliver, fan_out, queue_message, tell_thread
from bot.engine.runtime import Runtime
from bot.engine.starting import Starter
from bot.engine.status import BOT_ACTOR, FINISHED, RunStatus, TimerKind
from bot.engine.steps.approval import approval_card
from bot.engine.targets import TargetError, resolve_targets
from bot.engine.work import RunWork
from bot.library import pinned_procedure
from bot.procedure.expressions import ExpressionError
from bot.procedure.outcomes import Outcome
from bot.procedure.steps import ApprovalStep, TaskStep
from storage import approvals, audit, journal, runs, timers
from storage import sla as sla_rows
from storage.models import Run, StepRecord, Timer

log = logging.getLogger(__name__)


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
            except Exception:
                log.exception(
                    "could not deliver message timer %s; it will be tried again", timer.id
                )
                continue
            delivered.append(timer.id)
        if delivered:
            with self.runtime.database.session() as session:
                timers.complete_many(
                    session, delivered, owner=self.runtime.worker_id, now=self.runtime.clock.now()
                )

    def handle(self, timer: Timer) -> None:
        """One claimed timer; an unexpected error escalates the run instead of killing the worker."""
        self._guarded(timer.id, timer.kind, timer.run_id, lambda: self._dispatch(timer))

    def handle_advance(self, run: Run, timer_id: int) -> None:
        """Advance a run this process just created, holding its first timer."""
        self._guarded(
            timer_id,
            TimerKind.ADVANCE,
            run.id,
            lambda: self.executor.advance(run.id, timer_id, fresh=run),
        )

    def _guarded(
        self, timer_id: int, kind: str, run_id: str | None, work: Callable[[], None]
    ) -> None:
        try:
            work()
        except RunConflict as conflict:
            log.info("backing off: %s", conflict)
            with self.runtime.database.session() as session:
                timers.release(session, timer_id, owner=self.runtime.worker_id)
        except Exception as error:
            log.exception("timer %s (%s) failed", timer_id, kind)
            self._fail(timer_id, kind, run_id, error)

    def _dispatch(self, timer: Timer) -> None:
        kind = timer.kind
        if kind == TimerKind.ADVANCE:
            assert timer.run_id is not None
            self.executor.advance(timer.run_id, timer.id)
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
            if not timers.complete(session, timer.id, owner=self.runtime.worker_id, now=now):
                raise RunConflict(f"the lease on timer {timer.id} ran out")
            return
        with self.runtime.database.session() as fresh:
            timers.complete(fresh, timer.id, owner=self.runtime.worker_id, now=now)

    def _time_out(self, timer: Timer) -> None:
        now = self.runtime.clock.now()
        with self.runtime.database.session() as session:
            approval = self.decisions.time_out(session, timer.payload["approval_id"], now)
            run = runs.get_run(session, approval.run_id) if approval else None
            if approval is not None and run is not None and run.status not in FINISHED:
                procedure = pinned_procedure(self.runtime.database, run.sop_hash)
                step = procedure.steps[procedure.step_index()[approval.step_id]]
                rule = _timeout_rule(step)
                state = {
                    "values": dict(run.state.get("values", {})),
                    "meta": dict(run.state.get("meta", {})),
                }
                state["meta"].pop("awaiting", None)
                state["meta"]["apply_outcome"] = {
                    "outcome": rule.model_dump(mode="json", by_alias=True),
                    "reason": f"nobody decided {approval.id} in time (due {approval.due_at:%Y-%m-%d %H:%M} UTC)",
                }
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
        link = f"sla:{timer.payload['clock']}:{timer.payload['event']}{timer.payload['index']}"
        with database.session(read_only=True) as session:
            run = runs.get_run(session, timer.run_id)
            running = {row.clock_id for row in sla_rows.running_clocks(session, timer.run_id)}
            earlier = [
                record
                for record in journal.steps_for_run(session, timer.run_id)
                if record.step_id.startswith(f"{link}:")
            ]
        if run is None or run.status in FINISHED or timer.payload["clock"] not in running:
            self._complete(timer)
            return
        procedure = pinned_procedure(database, run.sop_hash)
        work = RunWork.of(
            run, procedure, self.runtime.clock.now, self.runtime.secrets, self.runtime.catalogue
        )
        caller = self.runtime.caller(self._side_flush)
        actions = sla.fire(work, timer.payload, self.runtime.directory)
        if earlier:  # the cut-off try already committed this link's alerts with its first call
            work.pending.clear()
        self._after_crash(work, earlier, link)
        tried = {record.step_id for record in earlier}
        for position, (operation_name, arguments) in enumerate(actions):
            operation = self.runtime.catalogue.get(operation_name)
            step_id = f"{link}:{position}"
            if operation is not None and step_id not in tried:  # at most once, even after a crash
                caller.call(work, step_id=step_id, operation=operation, arguments=arguments)
        with database.session() as session:
            self._apply_pending(session, work)
            self._complete(timer, session)

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
        with self.runtime.database.session() as session:
            self._apply_pending(session, work)

    @staticmethod
    def _apply_pending(session: Session, work: RunWork) -> None:
        pending, work.pending = work.pending, []
        for change in pending:
            change(session)

    def _fail(self, timer_id: int, kind: str, run_id: str | None, error: Exception) -> None:
        """Nothing stuck: a timer that broke is closed, and its run escalated to a person."""
        now = self.runtime.clock.now()
        reason = f"sopbot hit an internal error ({type(error).__name__}: {error}); a person must take over"
        with self.runtime.database.session() as session:
            timers.complete(session, timer_id, owner=self.runtime.worker_id, now=now)
            run = runs.get_run(session, run_id) if run_id else None
            audit.append(
                session,
                at=now,
                actor=BOT_ACTOR,
                action=f"timer.{kind}",
                outcome="error",
                run_id=run_id,
                detail={"timer": timer_id},
                reason=reason,
            )
            if run is None or run.status in FINISHED or kind == TimerKind.NOTIFY:
                return
            procedure = pinned_procedure(self.runtime.database, run.sop_hash)
            runs.cas_update_run(
                session,
                run.id,
                expected_version=run.version,
                now=now,
                status=RunStatus.ESCALATED,
                waiting_on=None,
                finished_at=now,
                reason=reason,
            )
            sla.close_out(session, run.id, now=now)
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


def _timeout_rule(step: Any) -> Outcome:
    if isinstance(step, ApprovalStep) and step.approval.on_timeout is not None:
        return step.approval.on_timeout
    if isinstance(step, TaskStep) and step.task.on_timeout is not None:
        return step.task.on_timeout
    return Outcome(then="escalate")
