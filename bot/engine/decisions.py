"""People's answers: approve, reject, complete a task, cancel a run.

pending → decided is one compare-and-set; only listed deciders count; the person who
started a run cannot approve it unless the SOP allows it; N-of-M counts distinct people.
Whatever the outcome, the run moves in the same transaction as the decision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from bot.chat.mentions import mentions
from bot.engine.errors import DecisionRefused, InvalidInputs, RunNotFound
from bot.engine.executor import schedule_advance
from bot.engine.inputs import coerce
from bot.engine.notify import tell_thread
from bot.engine.runtime import Runtime
from bot.engine.sla import close_out
from bot.engine.status import FINISHED, RunStatus, TimerKind
from bot.engine.steps.approval import approval_card
from bot.library import pinned_procedure
from bot.procedure.inputs import InputSpec
from bot.procedure.model import Procedure
from bot.procedure.steps import ApprovalStep, TaskStep
from storage import approvals, audit, runs, timers
from storage.models import Approval, Run

Decision = Literal["approve", "reject"]


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
        with self.runtime.database.session() as session:
            approval, run = self._load(session, approval_id, "approval")
            self._check_decider(approval, run, user_id, decision)
            if decision == "reject" and not (reason and reason.strip()):
                raise DecisionRefused(
                    "a rejection needs a reason: say why, so the requester can act on it"
                )
            if not approvals.record_vote(
                session,
                approval_id=approval_id,
                user_id=user_id,
                decision=decision,
                reason=reason,
                at=now,
            ):
                raise DecisionRefused(f"you already decided {approval_id}")
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
            if not approvals.cas_decide(
                session, approval_id, status=status, decided_by=user_id, reason=reason, at=now
            ):
                raise DecisionRefused(f"{approval_id} was decided by someone else a moment ago")
            approval.status, approval.decided_by, approval.reason = status, user_id, reason
            procedure = pinned_procedure(self.runtime.database, run.sop_hash)
            self._move_run(session, procedure, run, approval, now)
            self._show_decision(session, approval, run, now)
        return DecisionResult(f"{status.capitalize()} {approval_id}.", final=True)

    def complete_task(self, task_id: str, user_id: str, answers: dict[str, Any]) -> DecisionResult:
        """The assignee reports the task done with its fields."""
        now = self.runtime.clock.now()
        with self.runtime.database.session() as session:
            approval, run = self._load(session, task_id, "task")
            self._check_decider(approval, run, user_id, "approve")
            response = _check_answers(approval.package.get("fields", {}), answers)
            if not approvals.cas_decide(
                session,
                task_id,
                status="completed",
                decided_by=user_id,
                reason=None,
                at=now,
                response=response,
            ):
                raise DecisionRefused(f"{task_id} was completed by someone else a moment ago")
            approval.status, approval.decided_by, approval.response = "completed", user_id, response
            audit.append(
                session,
                at=now,
                actor=user_id,
                action="task.complete",
                outcome="completed",
                run_id=run.id,
                step_id=approval.step_id,
                detail={"task": task_id, "answers": response},
            )
            procedure = pinned_procedure(self.runtime.database, run.sop_hash)
            self._move_run(session, procedure, run, approval, now)
            self._show_decision(session, approval, run, now)
        return DecisionResult(f"Completed {task_id}.", final=True)

    def cancel_run(self, run_id: str, user_id: str, reason: str) -> DecisionResult:
        """Stop a run that is not finished; its timers and open approvals go with it."""
        now = self.runtime.clock.now()
        with self.runtime.database.session() as session:
            run = runs.get_run(session, run_id)
            if run is None:
                raise RunNotFound(f"no run {run_id}")
            if run.status in FINISHED:
                raise DecisionRefused(f"run {run_id} already ended ({run.status})")
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
            for pending in approvals.pending_for_run(session, run_id):
                approvals.cas_decide(
                    session,
                    pending.id,
                    status="cancelled",
                    decided_by=user_id,
                    reason=reason,
                    at=now,
                )
            close_out(session, run_id, now=now)
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

    def time_out(self, session: Session, approval_id: str, now: dt.datetime) -> Approval | None:
        """Mark a pending approval timed out (one compare-and-set); None if it was decided."""
        approval = approvals.get_approval(session, approval_id)
        if approval is None or approval.status != "pending":
            return None
        if not approvals.cas_decide(
            session, approval_id, status="timed_out", decided_by=None, reason="timed out", at=now
        ):
            return None
        approval.status = "timed_out"
        return approval

    def _load(self, session: Session, approval_id: str, kind: str) -> tuple[Approval, Run]:
        approval = approvals.get_approval(session, approval_id)
        if approval is None or approval.kind != kind:
            raise DecisionRefused(f"no {kind} {approval_id}")
        if approval.status != "pending":
            who = f" by <@{approval.decided_by}>" if approval.decided_by else ""
            raise DecisionRefused(f"{approval_id} is already {approval.status}{who}")
        run = runs.get_run(session, approval.run_id)
        if run is None:
            raise DecisionRefused(f"the run of {approval_id} no longer exists")
        return approval, run

    def _check_decider(
        self, approval: Approval, run: Run, user_id: str, decision: Decision
    ) -> None:
        directory = self.runtime.directory
        allowed = any(
            user_id == decider or user_id in directory.members(decider)
            for decider in approval.deciders
        )
        if not allowed:
            names = mentions(list(approval.deciders))
            raise DecisionRefused(f"only {names} may decide {approval.id}")
        if decision == "approve" and user_id == run.started_by and not approval.allow_starter:
            raise DecisionRefused("you started this run, so someone else must approve it")

    def _move_run(
        self, session: Session, procedure: Procedure, run: Run, approval: Approval, now: dt.datetime
    ) -> None:
        state: dict[str, Any] = {
            "values": dict(run.state.get("values", {})),
            "meta": dict(run.state.get("meta", {})),
        }
        state["meta"].pop("awaiting", None)
        step = procedure.steps[procedure.step_index()[approval.step_id]]
        next_step, status, reason = self._after(procedure, step, approval, state)
        changes: dict[str, Any] = {"state": state, "cursor": next_step, "attempt": 0}
        if status is None:
            changes.update(status=RunStatus.RUNNING, waiting_on="timer")
            schedule_advance(session, run.id, due_at=now, now=now)
        else:
            changes.update(status=status, waiting_on=None, finished_at=now, reason=reason)
            close_out(session, run.id, now=now)
        timers.cancel(
            session, run_id=run.id, kinds=[TimerKind.APPROVAL_TIMEOUT, TimerKind.REMINDER]
        )
        if not runs.cas_update_run(
            session, run.id, expected_version=run.version, now=now, **changes
        ):
            raise DecisionRefused(f"run {run.id} changed just now; try again")

    def _after(
        self, procedure: Procedure, step: Any, approval: Approval, state: dict[str, Any]
    ) -> tuple[str | None, RunStatus | None, str | None]:
        """Where the run goes after the decision (next step) or how it ends."""
        following = step.next or _below(procedure, step.id)
        if approval.status == "completed" and isinstance(step, TaskStep):
            if step.save_as:
                state["values"][step.save_as] = approval.response or {}
            return following, None, None
        if approval.status == "approved":
            approved = state["meta"].setdefault("approved", {})
            for action in approval.package.get("actions", []):
                approved[action["step"]] = {
                    "call_hash": action["call_hash"],
                    "approval": approval.id,
                    "by": approval.decided_by,
                }
            return (
                (approval.step_id if not isinstance(step, ApprovalStep) else following),
                None,
                None,
            )
        rule = step.approval.on_reject if isinstance(step, ApprovalStep) else None
        reason = f"rejected by <@{approval.decided_by}>: {approval.reason}"
        if rule is None or rule.then == "stop":
            return step.id, RunStatus.REJECTED, reason
        if rule.then == "goto":
            return rule.goto, None, None
        if rule.then == "skip":
            return following, None, None
        # the worker applies the rule (with the handoff, if it escalates) on its next advance
        state["meta"]["apply_outcome"] = {
            "outcome": rule.model_dump(mode="json", by_alias=True),
            "reason": reason,
        }
        return step.id, None, None

    def _show_decision(
        self, session: Session, approval: Approval, run: Run, now: dt.datetime
    ) -> None:
        verdict = {"approved": "Approved", "rejected": "Rejected", "completed": "Completed"}[
            approval.status
        ]
        footer = f"{verdict} by <@{approval.decided_by}> at {now:%Y-%m-%d %H:%M} UTC" + (
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
