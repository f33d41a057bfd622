"""People's answers: approve, reject, complete a task, pick an option, cancel a run.

pending → decided is one compare-and-set; only listed people decide (a group or channel ID
never counts as a person); the person who started a run cannot approve it unless the SOP
allows it; N-of-M counts distinct people, under the approval's lock. Whatever the outcome,
the run moves in the same transaction as the decision.

A click first reads the approval without waiting for any writer (an approval already
decided is answered at once) and asks the directory, then opens one transaction that locks
the run and then the approval (``storage.locks``: one order everywhere). Nothing inside that
transaction opens a second connection, so a crowd of clicks cannot exhaust the pool. Whoever
loses a race is told what happened and who did it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

from sqlalchemy.orm import Session

from bot.engine import policy
from bot.engine.errors import DecisionRefused, InvalidInputs, RunNotFound
from bot.engine.executor import schedule_advance
from bot.engine.inputs import coerce
from bot.engine.notify import close_thread, tell_thread
from bot.engine.refusals import refuse
from bot.engine.runtime import Runtime
from bot.engine.sla import close_out
from bot.engine.state import ApprovedCall, PendingOutcome, RunState, read_stored, to_stored
from bot.engine.status import FINISHED, RunStatus, TimerKind
from bot.engine.steps.approval import approval_card
from bot.identity import mention
from bot.library import pinned_procedure
from bot.procedure.inputs import InputSpec
from bot.procedure.model import Procedure
from bot.procedure.outcomes import Outcome
from bot.procedure.steps import ApprovalStep, DraftStep, TaskStep, choice_of
from storage import approvals, audit, locks, runs, timers
from storage.models import Approval, Run

Decision = Literal["approve", "reject"]

# the audit action a refused click is recorded under, by what was clicked on
_REFUSED_ACTION = {"approval": "approval.vote", "task": "task.complete", "choice": "task.choose"}


@dataclass(frozen=True)
class DecisionResult:
    """What to tell the person who clicked."""

    message: str
    final: bool


@dataclass
class Decisions:
    runtime: Runtime

    def decide(
        self, approval_id: str, user_id: str, decision: Decision, reason: str | None = None
    ) -> DecisionResult:
        """Record one person's approve or reject; decide the approval once enough agree."""
        now = self.runtime.clock.now()
        approval, run = self._glance(approval_id, "approval", now)
        self._check_decider(approval, run, user_id, decision, now)
        if decision == "reject" and not (reason and reason.strip()):
            raise DecisionRefused(
                "a rejection needs a reason: say why, so the requester can act on it"
            )
        procedure = pinned_procedure(self.runtime.database, run.sop_hash)
        with self.runtime.database.session() as session:
            approval, run = self._lock(session, approval_id, now)
            if not approvals.record_vote(
                session,
                approval_id=approval_id,
                user_id=user_id,
                decision=decision,
                reason=reason,
                at=now,
            ):
                raise DecisionRefused(
                    f"you already decided {approval_id}; it needs {approval.required} "
                    "different people to approve it"
                )
            audit.append(
                session,
                at=now,
                actor=user_id,
                action="approval.vote",
                outcome=decision,
                run_id=run.id,
                step_id=approval.step_id,
                detail={"approval": approval_id, "package_hash": approval.package_hash},
                reason=reason,
            )
            approves = sum(
                1 for vote in approvals.votes(session, approval_id) if vote.decision == "approve"
            )
            if decision == "approve" and approves < approval.required:
                return DecisionResult(
                    f"Recorded your approval ({approves} of {approval.required}).", final=False
                )
            status = "approved" if decision == "approve" else "rejected"
            self._settle(session, approval, status, user_id, reason, now)
            self._move_run(session, procedure, run, approval, now)
            self._show_decision(session, approval, run, now)
        return DecisionResult(f"{status.capitalize()} {approval_id}.", final=True)

    def complete_task(self, task_id: str, user_id: str, answers: dict[str, Any]) -> DecisionResult:
        """The assignee reports the task done with its fields."""
        now = self.runtime.clock.now()
        approval, run = self._glance(task_id, "task", now)
        self._check_decider(approval, run, user_id, "approve", now)
        response = _check_answers(approval.package.get("fields", {}), answers)
        self._answer(
            task_id,
            run,
            user_id,
            now,
            status="completed",
            action="task.complete",
            detail={"task": task_id, "answers": response},
            response=response,
        )
        return DecisionResult(f"Completed {task_id}.", final=True)

    def choose(self, choice_id: str, user_id: str, option: int | str) -> DecisionResult:
        """The assignee picks an option (its 0-based index, or its label): the run goes to
        that option's step."""
        now = self.runtime.clock.now()
        approval, run = self._glance(choice_id, "choice", now)
        self._check_decider(approval, run, user_id, "approve", now)
        index = _option_index(approval, option)
        label = approval.package["options"][index]["label"]
        self._answer(
            choice_id,
            run,
            user_id,
            now,
            status="chosen",
            action="task.choose",
            detail={"choice": choice_id, "option": index, "label": label},
            response={"option": index, "label": label},
            settled_as=label,
        )
        return DecisionResult(f"Chose “{label}” for {choice_id}.", final=True)

    def decline_task(self, task_id: str, user_id: str, reason: str) -> DecisionResult:
        """The assignee cannot do the task: the run is handed to people with the reason."""
        if not reason.strip():
            raise DecisionRefused("say why you can't do it, so the next person can act on it")
        now = self.runtime.clock.now()
        approval, run = self._glance(task_id, "task", now)
        self._check_decider(approval, run, user_id, "approve", now)
        self._answer(
            task_id,
            run,
            user_id,
            now,
            status="declined",
            action="task.decline",
            detail={"task": task_id},
            settled_as=reason,
            why=reason,
        )
        return DecisionResult(
            f"Handed {task_id} back: run {run.id} goes to a person with your reason.", final=True
        )

    def _answer(
        self,
        approval_id: str,
        run: Run,
        user_id: str,
        now: dt.datetime,
        *,
        status: str,
        action: str,
        detail: dict[str, Any],
        response: dict[str, Any] | None = None,
        settled_as: str | None = None,
        why: str | None = None,
    ) -> None:
        """One person's answer to a task or choice, in one transaction under the locks:
        settled as ``status`` (with ``settled_as`` as its reason), audited as ``action``, the
        run moved on and the card replaced."""
        procedure = pinned_procedure(self.runtime.database, run.sop_hash)
        with self.runtime.database.session() as session:
            approval, run = self._lock(session, approval_id, now)
            self._settle(session, approval, status, user_id, settled_as, now, response)
            audit.append(
                session,
                at=now,
                actor=user_id,
                action=action,
                outcome=status,
                run_id=run.id,
                step_id=approval.step_id,
                detail=detail,
                reason=why,
            )
            self._move_run(session, procedure, run, approval, now)
            self._show_decision(session, approval, run, now)

    def cancel_run(self, run_id: str, user_id: str, reason: str) -> DecisionResult:
        """Stop a run that is not finished; its timers and open approvals go with it."""
        now = self.runtime.clock.now()
        self._check_canceller(run_id, user_id, now)
        with self.runtime.database.session() as session:
            locked = locks.run_then_pending(session, run_id)
            if locked is None:
                raise RunNotFound(f"no run {run_id}")
            run, pending = locked
            if run.status in FINISHED:
                raise DecisionRefused(
                    f"run {run_id} already ended ({run.status}) {_when(run.finished_at, now)}: "
                    "there is nothing left to cancel"
                )
            if not runs.cas_update_run(
                session,
                run_id,
                expected_version=run.version,
                now=now,
                status=RunStatus.CANCELLED,
                waiting_on=None,
                finished_at=now,
                reason=f"cancelled by {user_id}: {reason}",
            ):
                raise DecisionRefused(f"run {run_id} changed just now; try again")
            for approval in pending:
                self._settle(session, approval, "cancelled", user_id, reason, now)
            close_out(session, run_id, now=now)
            close_thread(
                session, run, f"Run {run_id} cancelled by {mention(user_id)}: {reason}", now=now
            )
            audit.append(
                session,
                at=now,
                actor=user_id,
                action="run.cancel",
                outcome="cancelled",
                run_id=run_id,
                reason=reason,
            )
        return DecisionResult(f"Cancelled run {run_id}.", final=True)

    def _check_canceller(self, run_id: str, user_id: str, now: dt.datetime) -> None:
        """The policy's cancel rule (``bot.engine.policy.cancel_refusal``), asked before any
        transaction opens, like the decide rule; a refusal is audited."""
        with self.runtime.database.session(read_only=True) as session:
            run = runs.get_run(session, run_id)
        if run is None:
            raise RunNotFound(f"no run {run_id}")
        procedure = pinned_procedure(self.runtime.database, run.sop_hash)
        why = policy.cancel_refusal(
            self.runtime.directory,
            user_id,
            run_id=run_id,
            procedure=procedure,
            started_by=run.started_by,
        )
        if why is not None:
            refuse(
                self.runtime.database,
                at=now,
                actor=user_id,
                action="run.cancel",
                why=why,
                run_id=run_id,
            )

    def time_out(self, session: Session, approval_id: str, now: dt.datetime) -> Approval | None:
        """Mark a pending approval timed out (its run locked first, like every decision);
        None if it was decided meanwhile."""
        locked = locks.run_then_approval(session, approval_id)
        if locked is None or locked[1].status != "pending":
            return None
        approval = locked[1]
        self._settle(session, approval, "timed_out", None, "timed out", now)
        return approval

    def _glance(self, approval_id: str, kind: str, now: dt.datetime) -> tuple[Approval, Run]:
        """The approval and its run, read without waiting for any writer: a click on a card
        that is already decided is answered before it queues for a lock."""
        with self.runtime.database.session(read_only=True) as session:
            found = approvals.with_run(session, approval_id)
        if found is None or found[0].kind != kind:
            raise DecisionRefused(f"no {kind} {approval_id}")
        approval, run = found
        settled = _settled(approval, run, now)
        if settled is not None:
            raise DecisionRefused(settled)
        return approval, run

    @staticmethod
    def _lock(session: Session, approval_id: str, now: dt.datetime) -> tuple[Approval, Run]:
        """The run and the approval, locked in that order and still open to a decision."""
        locked = locks.run_then_approval(session, approval_id)
        if locked is None:
            raise DecisionRefused(f"{approval_id} and its run no longer exist")
        run, approval = locked
        settled = _settled(approval, run, now)
        if settled is not None:
            raise DecisionRefused(settled)
        return approval, run

    @staticmethod
    def _settle(
        session: Session,
        approval: Approval,
        status: str,
        by: str | None,
        reason: str | None,
        now: dt.datetime,
        response: dict[str, Any] | None = None,
    ) -> None:
        """pending → ``status``, once; the caller holds the locks, so it cannot lose."""
        if not approvals.cas_decide(
            session,
            approval.id,
            status=status,
            decided_by=by,
            reason=reason,
            at=now,
            response=response,
        ):
            raise DecisionRefused(f"{approval.id} was decided by someone else a moment ago")
        approval.status, approval.decided_by, approval.reason = status, by, reason
        approval.decided_at, approval.response = now, response

    def _check_decider(
        self, approval: Approval, run: Run, user_id: str, decision: Decision, now: dt.datetime
    ) -> None:
        """The policy's decide rule (``bot.engine.policy.decide_refusal``), enforced here so
        every surface meets it.

        Asks the directory before any transaction opens (it may read the database itself);
        a refusal is audited.
        """
        why = policy.decide_refusal(
            self.runtime.directory,
            user_id,
            item_id=approval.id,
            deciders=approval.deciders,
            started_by=run.started_by,
            allow_starter=approval.allow_starter,
            approving=decision == "approve",
        )
        if why is not None:
            self._refuse(approval, run, user_id, why, now)

    def _refuse(
        self, approval: Approval, run: Run, user_id: str, why: str, now: dt.datetime
    ) -> NoReturn:
        """Audit that ``user_id`` was refused a say on the approval, then tell them why."""
        refuse(
            self.runtime.database,
            at=now,
            actor=user_id,
            action=_REFUSED_ACTION[approval.kind],
            why=why,
            run_id=run.id,
            step_id=approval.step_id,
            detail={approval.kind: approval.id},
        )

    def _move_run(
        self, session: Session, procedure: Procedure, run: Run, approval: Approval, now: dt.datetime
    ) -> None:
        values, meta = read_stored(run.state)
        meta.awaiting = None
        step = procedure.steps[procedure.step_index()[approval.step_id]]
        next_step, status, reason = self._after(procedure, step, approval, values, meta)
        state = to_stored(values, meta)
        changes: dict[str, Any] = {"state": state, "cursor": next_step, "attempt": 0}
        if status is None:
            changes.update(status=RunStatus.RUNNING, waiting_on="timer")
            schedule_advance(session, run.id, due_at=now, now=now)
        else:
            changes.update(status=status, waiting_on=None, finished_at=now, reason=reason)
            close_out(session, run.id, now=now)
            close_thread(session, run, f"Run {run.id} {status}: {reason}", now=now)
        timers.cancel(
            session, run_id=run.id, kinds=[TimerKind.APPROVAL_TIMEOUT, TimerKind.REMINDER]
        )
        if not runs.cas_update_run(
            session, run.id, expected_version=run.version, now=now, **changes
        ):
            raise DecisionRefused(f"run {run.id} changed just now; try again")

    def _after(
        self,
        procedure: Procedure,
        step: Any,
        approval: Approval,
        values: dict[str, Any],
        meta: RunState,
    ) -> tuple[str | None, RunStatus | None, str | None]:
        """Where the run goes after the decision (next step) or how it ends."""
        following = step.next or _below(procedure, step.id)
        choice = choice_of(step)
        if approval.status == "chosen" and choice is not None:
            return choice.options[(approval.response or {})["option"]].goto, None, None
        if approval.status == "completed" and isinstance(step, TaskStep | DraftStep):
            if step.save_as:
                values[step.save_as] = approval.response or {}
            return following, None, None
        if approval.status == "declined":  # escalated, with the handoff, on the next advance
            meta.apply_outcome = PendingOutcome(
                outcome=Outcome(then="escalate").model_dump(mode="json", by_alias=True),
                reason=f"{mention(approval.decided_by or '')} can't do {approval.id}: "
                f"{approval.reason}",
            )
            return step.id, None, None
        if approval.status == "approved":
            for action in approval.package.get("actions", []):
                meta.approved[action["step"]] = ApprovedCall(
                    call_hash=action["call_hash"], approval=approval.id, by=approval.decided_by
                )
            return (
                (approval.step_id if not isinstance(step, ApprovalStep) else following),
                None,
                None,
            )
        rule = step.approval.on_reject if isinstance(step, ApprovalStep) else None
        reason = f"rejected{_by(approval)}: {approval.reason}"
        if rule is None or rule.then == "stop":
            return step.id, RunStatus.REJECTED, reason
        if rule.then == "goto":
            return rule.goto, None, None
        if rule.then == "skip":
            return following, None, None
        # the worker applies the rule (with the handoff, if it escalates) on its next advance
        meta.apply_outcome = PendingOutcome(
            outcome=rule.model_dump(mode="json", by_alias=True), reason=reason
        )
        return step.id, None, None

    def _show_decision(
        self, session: Session, approval: Approval, run: Run, now: dt.datetime
    ) -> None:
        verdict = {
            "approved": "Approved",
            "rejected": "Rejected",
            "completed": "Completed",
            "declined": "Can't do, said",
            "chosen": "Chosen",
        }[approval.status]
        footer = f"{verdict}{_by(approval)} at {now:%Y-%m-%d %H:%M} UTC" + (
            f": {approval.reason}" if approval.reason else ""
        )
        card = approval_card(approval, decided=footer)
        fallback = (approval.card or {}).get("to", approval.deciders[0])
        tell_thread(
            session,
            run,
            footer,
            now=now,
            card=card,
            fallback=fallback,
            approval_id=approval.id,
            replace_card=True,
        )


def _settled(approval: Approval, run: Run, now: dt.datetime) -> str | None:
    """Why nobody can decide the approval any more, in words; None while it is open."""
    if approval.status == "pending":
        if run.status in FINISHED:
            return (
                f"run {run.id} already ended ({run.status}), "
                f"so {approval.id} no longer needs a decision"
            )
        return None
    when = _when(approval.decided_at, now)
    if approval.status == "cancelled":
        why = f" ({approval.reason})" if approval.reason else ""
        return (
            f"run {run.id} was cancelled{_by(approval)} {when}{why}, "
            f"so {approval.id} no longer needs a decision"
        )
    if approval.status == "timed_out":
        return (
            f"{approval.id} timed out {when}: nobody decided in time, "
            "and the run went on by its timeout rule"
        )
    return f"{approval.id} was {approval.status}{_by(approval)} {when}"


def _by(approval: Approval) -> str:
    """`` by <@U…>`` for whoever settled the approval; empty when the engine did (a cancel)."""
    return f" by {mention(approval.decided_by)}" if approval.decided_by else ""


def _when(moment: dt.datetime | None, now: dt.datetime) -> str:
    """``a moment ago`` for the last minute, else the time, for someone who just lost a race."""
    if moment is None:
        return ""
    if now - moment < dt.timedelta(minutes=1):
        return "a moment ago"
    return f"at {moment:%Y-%m-%d %H:%M} UTC"


def _below(procedure: Procedure, step_id: str) -> str | None:
    position = procedure.step_index()[step_id] + 1
    return procedure.steps[position].id if position < len(procedure.steps) else None


def _check_answers(fields: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(answers) - set(fields))
    if unknown:
        raise InvalidInputs(
            f"this task has no field {', '.join(unknown)} (fields: {', '.join(fields) or 'none'})"
        )
    response: dict[str, Any] = {}
    problems: list[str] = []
    for name, raw_spec in fields.items():
        spec = InputSpec.model_validate(raw_spec)
        value = answers.get(name)
        if value in (None, ""):
            if spec.required and spec.default is None:
                problems.append(f"{name} is required")
            response[name] = spec.default
            continue
        try:
            response[name] = coerce(value, spec)
        except ValueError as error:
            problems.append(f"{name}: {error}")
    if problems:
        raise InvalidInputs("; ".join(problems))
    return response


def _option_index(approval: Approval, option: int | str) -> int:
    """The 0-based index of the option picked by index or by label (any case); a pick that
    names no option is refused with the options listed."""
    labels = [entry["label"] for entry in approval.package.get("options", [])]
    if isinstance(option, int):
        if 0 <= option < len(labels):
            return option
    else:
        for index, label in enumerate(labels):
            if label.casefold() == option.strip().casefold():
                return index
    listed = "; ".join(f"{number}. {label}" for number, label in enumerate(labels, start=1))
    asked = f"number {option + 1}" if isinstance(option, int) else f"'{option}'"
    raise DecisionRefused(f"{approval.id} has no option {asked}; pick one of: {listed}")
