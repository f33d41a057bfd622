"""Advancing a run: run steps until the run must wait or ends, then commit the result.

Only the worker that claimed the run's ``advance`` timer calls this. Every commit first
shows that claim (the fence: a worker whose lease was taken over is refused before it
writes anything, and every accepted commit renews the lease), then is a compare-and-set on
the run's version, and the timer is completed in the same transaction as the state it led
to, so a crash anywhere leaves either the old state (and the timer, claimable again once
its lease runs out) or the new one. A commit the database drops is tried again (an outage
is not the run's failure); one that may have landed before the connection went is
recognised by the mark it leaves in the run's state.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.engine import sla
from bot.engine.calls import is_repeatable
from bot.engine.notify import close_thread, tell_thread
from bot.engine.runtime import Runtime
from bot.engine.state import read_stored
from bot.engine.status import BOT_ACTOR, FINISHED, RunStatus, TimerKind
from bot.engine.steps.dispatch import run_step
from bot.engine.steps.env import StepEnv
from bot.engine.steps.outcomes import apply_outcome, escalate
from bot.engine.work import AwaitPerson, Continue, Finish, RunWork, Sleep, Transition
from bot.library import pinned_procedure
from bot.procedure.outcomes import Outcome
from storage import audit, journal, runs, timers
from storage.models import Run, StepRecord
from storage.outages import describe, is_outage, retrying
from storage.timers import FIRST_CLAIM, Claim

MAX_STEPS_PER_ADVANCE = 1000
log = logging.getLogger(__name__)


def schedule_advance(
    session: Session,
    run_id: str,
    *,
    due_at: dt.datetime,
    now: dt.datetime,
    claim_for: str | None = None,
    lease: dt.timedelta | None = None,
) -> Claim | None:
    """The one timer that moves a run on; claimed at once (its claim returned) when this
    process will do it now."""
    lease_until = now + lease if claim_for is not None and lease is not None else None
    timer_id = timers.schedule(
        session,
        kind=TimerKind.ADVANCE,
        due_at=due_at,
        now=now,
        run_id=run_id,
        claimed_by=claim_for,
        lease_until=lease_until,
    )
    return Claim(timer_id, claim_for, FIRST_CLAIM) if claim_for is not None else None


class RunConflict(Exception):
    """Someone else changed the run (or took the timer) first; this worker backs off."""


class LeaseLost(RunConflict):
    """Another worker took over the timer this one held: its commits are refused."""


@dataclass
class Executor:
    runtime: Runtime

    def advance(self, run_id: str, claim: Claim | None, *, fresh: Run | None = None) -> None:
        """Run ``run_id`` forward from its cursor, as the holder of ``claim``.

        ``fresh`` is a run this process has just created: nothing to read back, no journal yet.
        """
        database = self.runtime.database
        run: Run | None = fresh
        stale: StepRecord | None = None
        if run is None:
            with database.session(read_only=True) as session:
                run = runs.get_run(session, run_id)
                stale = journal.unfinished_step(session, run_id) if run is not None else None
        if (
            run is None
            or run.status in FINISHED
            or run.status in (RunStatus.WAITING_APPROVAL, RunStatus.WAITING_HUMAN)
        ):
            self._complete_timer_only(claim)
            return
        procedure = pinned_procedure(database, run.sop_hash)
        work = RunWork.of(
            run, procedure, self.runtime.clock.now, self.runtime.secrets, self.runtime.catalogue
        )
        work.claim = claim
        env = StepEnv(self.runtime, self.runtime.caller(self.flush, self.renew))
        transition: Transition = self._recover(env, work, stale) if stale else Continue(work.cursor)
        decided, work.meta.apply_outcome = work.meta.apply_outcome, None
        if decided and isinstance(transition, Continue) and work.cursor is not None:
            outcome = Outcome.model_validate(decided.outcome)
            transition = apply_outcome(env, work, work.step(work.cursor), outcome, decided.reason)
            if isinstance(transition, Continue):
                work.cursor = transition.next_step
        if isinstance(transition, Continue):
            transition = self._step_from_cursor(env, work)
        self.settle(work, transition)

    def _step_from_cursor(self, env: StepEnv, work: RunWork) -> Transition:
        for _ in range(MAX_STEPS_PER_ADVANCE):
            if work.cursor is None:
                return Finish(RunStatus.COMPLETED)
            step = work.step(work.cursor)
            transition = run_step(env, work, step)
            if not isinstance(transition, Continue):
                return transition
            work.meta.passed(step.id)
            sla.stop_at_step(work, step.id)
            work.cursor = transition.next_step
            work.attempt = 0
        return escalate(
            env, work, f"ran {MAX_STEPS_PER_ADVANCE} steps without waiting: a loop with no exit?"
        )

    def _recover(self, env: StepEnv, work: RunWork, stale: StepRecord) -> Transition:
        """The process died during a call: repeat it if that is safe, else escalate."""
        operation = self.runtime.catalogue.get(stale.operation or "")
        now = work.now()
        repeatable = operation is not None and is_repeatable(operation, stale.idempotency_key)
        status = "interrupted" if repeatable else "unknown"

        def close(session: Session) -> None:
            journal.finish_step(
                session,
                stale.id,
                status=status,
                response=None,
                error="the process stopped during this call",
                now=now,
            )

        work.later(close)
        if repeatable:
            if stale.idempotency_key:
                work.meta.resume_keys[stale.step_id] = stale.idempotency_key
            return Continue(work.cursor)
        return escalate(
            env,
            work,
            f"{stale.step_id} ({stale.operation}) was interrupted: it may or may not have "
            "happened. Check the tool, then finish the work by hand.",
        )

    def flush(self, work: RunWork) -> None:
        """Commit pending changes and the run's state, guarded by the claim and the version."""
        self._commit(work, {}, complete=False)

    def renew(self, work: RunWork) -> None:
        """Keep the claim on the run while a call is in flight. Losing it is only logged
        here: the next commit is refused, and the new holder recovers the call."""
        if work.claim is None:
            return
        claim, until = work.claim, self.runtime.clock.now() + self.runtime.lease
        try:
            with self.runtime.database.session() as session:
                timers.hold(session, claim, until=until)
        except Exception as error:  # a missed renewal is no failure of the call in flight
            if not is_outage(error):
                raise
            log.warning("could not renew the lease of run %s: %s", work.run.id, describe(error))

    def _commit(self, work: RunWork, changes: dict[str, object], *, complete: bool) -> None:
        """One transaction: the fence (or the timer's completion), the pending changes and
        the run's new state. Tried again while the database is out."""
        mark = uuid.uuid4().hex[:12]  # tells a commit that landed before the connection went
        work.meta.commit = mark
        expected = work.run.version
        tries = 0

        def transaction() -> None:
            nonlocal tries
            tries += 1
            if tries > 1 and self._landed(work.run.id, expected, mark):
                return
            now = work.now()
            with self.runtime.database.session() as session:
                self._fence(session, work, now, complete=complete)
                for change in work.pending:
                    change(session)
                won = runs.cas_update_run(
                    session,
                    work.run.id,
                    expected_version=expected,
                    now=now,
                    state=work.state(),
                    cursor=work.cursor,
                    attempt=work.attempt,
                    **changes,
                )
                if not won:
                    raise RunConflict(f"run {work.run.id} changed while this worker held it")

        retrying(transaction, what=f"saving run {work.run.id}")
        work.pending = []
        work.run.version = expected + 1
        work.settle_soon = False

    def _landed(self, run_id: str, expected: int, mark: str) -> bool:
        """After a dropped commit: did it land after all? (the run moved on with our mark)"""
        with self.runtime.database.session(read_only=True) as session:
            run = runs.get_run(session, run_id)
        return (
            run is not None
            and run.version == expected + 1
            and read_stored(run.state)[1].commit == mark
        )

    def _fence(self, session: Session, work: RunWork, now: dt.datetime, *, complete: bool) -> None:
        claim = work.claim
        if claim is None:
            return
        held = (
            timers.complete(session, claim, now=now)
            if complete
            else timers.hold(session, claim, until=now + self.runtime.lease)
        )
        if not held:
            raise LeaseLost(
                f"the lease on timer {claim.timer_id} of run {work.run.id} was taken over"
            )

    def settle(self, work: RunWork, transition: Transition) -> None:
        """Commit where the run now stands and what will wake it."""
        now = work.now()
        changes: dict[str, object] = {}
        if isinstance(transition, Sleep):
            changes = {"status": RunStatus.WAITING_TIMER, "waiting_on": "timer"}
            wake_at = transition.until
            work.later(
                lambda session: schedule_advance(session, work.run.id, due_at=wake_at, now=now)
            )
        elif isinstance(transition, AwaitPerson):
            changes = {
                "status": transition.status,
                "waiting_on": "approval"
                if transition.status == RunStatus.WAITING_APPROVAL
                else "task",
            }
        elif isinstance(transition, Finish):
            changes = {
                "status": transition.status,
                "waiting_on": None,
                "finished_at": now,
                "reason": transition.reason,
            }
            self._finishing(work, transition)
        self._commit(work, changes, complete=True)

    def _finishing(self, work: RunWork, transition: Finish) -> None:
        now = work.now()
        run = work.run
        text = f"{work.procedure.title} · run {run.id} {transition.status}" + (
            f": {transition.reason}" if transition.reason else ""
        )

        def record(session: Session) -> None:
            if work.procedure.sla:  # approval and wake-up timers are settled as they fire
                sla.cancel_links(session, run.id)
                sla.stop_all(session, run.id, now=now)
            audit.append(
                session,
                at=now,
                actor=BOT_ACTOR,
                action="run.finish",
                outcome=str(transition.status),
                run_id=run.id,
                step_id=work.cursor,
                detail={"values": list(work.values), "result": work.meta.result},
                reason=transition.reason,
            )
            tell_thread(session, run, text, now=now)
            close_thread(session, run, text, now=now)

        work.later(record)

    def _complete_timer_only(self, claim: Claim | None) -> None:
        if claim is None:
            return
        with self.runtime.database.session() as session:
            timers.complete(session, claim, now=self.runtime.clock.now())
