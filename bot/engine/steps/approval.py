"""Approvals, human tasks and choices: open them with an agent-prepared package, then wait.

The package lists the exact calls that will run if approved; its hash is what the
decision approves, and the covered steps later run with exactly those arguments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

from sqlalchemy.orm import Session

from bot.catalogue.operation import Operation
from bot.chat.messages import Button, Card
from bot.engine.calls import CallResult, call_hash
from bot.engine.notify import tell_thread
from bot.engine.state import Awaiting
from bot.engine.status import BOT_ACTOR, RunStatus, TimerKind
from bot.engine.steps.calling import render_arguments
from bot.engine.steps.choice_card import choice_card, shown_call
from bot.engine.steps.env import StepEnv
from bot.engine.steps.outcomes import escalate
from bot.engine.steps.package_card import package_fields, shown_package
from bot.engine.targets import TargetError, resolve_targets
from bot.engine.work import AwaitPerson, RunWork, Transition
from bot.identity import mentions
from bot.procedure import expressions
from bot.procedure.outcomes import Outcome
from bot.procedure.steps import (
    ActionStep,
    Approval,
    ApprovalStep,
    SetStep,
    StepBase,
    Task,
    TaskStep,
)
from storage import approvals, audit, timers
from storage.models import Approval as ApprovalRow

ASSIST_TIMEOUT = dt.timedelta(days=1)


def new_approval_id() -> str:
    """A short id people can type: ``a-`` and ten hex characters."""
    return "a-" + secrets.token_hex(5)


def package_hash(package: dict[str, Any]) -> str:
    """The SHA-256 of the package's canonical JSON: what a decision approves."""
    return hashlib.sha256(json.dumps(package, sort_keys=True, default=str).encode()).hexdigest()


def run_approval(env: StepEnv, work: RunWork, step: ApprovalStep) -> Transition:
    """Open the approval with its package and wait for a decision."""
    approval = step.approval
    context = work.expression_context()
    try:
        covered = [work.step(step_id) for step_id in approval.covers] or _next_action(work, step)
        actions = [
            planned_call(env, work, target) for target in covered if isinstance(target, ActionStep)
        ]
        summary = str(expressions.render(approval.summary, context))
        facts = {
            label: str(expressions.render(value, context))
            for label, value in approval.facts.items()
        }
        deciders = resolve_targets(approval.approvers, work.procedure, work.run.started_by, context)
    except (expressions.ExpressionError, TargetError, RefusedCall) as error:
        return escalate(env, work, f"cannot prepare the approval {step.id}: {error}")
    prepared = work.values.get(approval.prepared) if approval.prepared else None
    if approval.prepared and not isinstance(prepared, dict):
        return escalate(
            env,
            work,
            f"cannot prepare the approval {step.id}: no package '{approval.prepared}' was "
            "prepared (its prepare step did not run)",
        )
    return open_package(
        env,
        work,
        step,
        approval,
        "approval",
        summary,
        facts,
        actions,
        deciders,
        prepared=shown_package(prepared) if isinstance(prepared, dict) else None,
    )


def open_assist_confirmation(
    env: StepEnv, work: RunWork, step: ActionStep, operation: Operation, arguments: dict[str, Any]
) -> Transition:
    """Assist mode: a one-click approval by the owner (or the starter) before a write."""
    deciders = list(dict.fromkeys([work.procedure.owner, *filter(None, [work.run.started_by])]))
    approval = Approval(
        approvers=deciders,
        allow_starter=True,
        summary=f"Confirm: {operation.summary.lower()} ({step.id})",
        timeout=ASSIST_TIMEOUT,
        on_timeout=Outcome(then="escalate"),
    )
    action = planned(env, step.id, operation, arguments)
    return open_package(
        env, work, step, approval, "approval", approval.summary, {}, [action], deciders
    )


def run_task(env: StepEnv, work: RunWork, step: TaskStep) -> Transition:
    """Open a human task for the assignee and wait for it to be completed."""
    return open_task(env, work, step, step.task)


def open_task(
    env: StepEnv,
    work: RunWork,
    step: StepBase,
    task: Task,
    *,
    facts: dict[str, str] | None = None,
) -> Transition:
    """Open ``task`` for its assignee, with ``facts`` on its card, and wait for it."""
    context = work.expression_context()
    try:
        instructions = str(expressions.render(task.instructions, context))
        deciders = resolve_targets([task.assignee], work.procedure, work.run.started_by, context)
    except (expressions.ExpressionError, TargetError) as error:
        return escalate(env, work, f"cannot prepare the task {step.id}: {error}")
    approval = Approval(
        approvers=deciders,
        allow_starter=True,
        summary=instructions,
        timeout=task.due,
        on_timeout=task.on_timeout,
        remind_every=task.remind_every,
    )
    fields = {
        name: spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        for name, spec in task.fields.items()
    }
    return open_package(
        env, work, step, approval, "task", instructions, facts or {}, [], deciders, fields=fields
    )


def _next_action(work: RunWork, step: StepBase) -> list[StepBase]:
    return actions_from(work, work.following(step))


def actions_from(work: RunWork, step_id: str | None) -> list[StepBase]:
    """The action the run reaches first from ``step_id`` through set steps only (none when
    something else comes first): the call that follows, shown on a card before it runs."""
    next_id = step_id
    while next_id is not None:
        candidate = work.step(next_id)
        if isinstance(candidate, ActionStep):
            return [candidate]
        if not isinstance(candidate, SetStep):
            return []
        next_id = work.following(candidate)
    return []


class RefusedCall(Exception):
    """A call an approval would cover cannot run: nobody should be asked to approve it."""


def planned_call(env: StepEnv, work: RunWork, step: ActionStep) -> dict[str, Any]:
    """The step's call as it would run now, checked by the guardrails (RefusedCall if not)."""
    operation = env.runtime.catalogue.get(step.action)
    if operation is None:
        raise RefusedCall(f"the operation {step.action} is not installed here")
    checked = env.caller.check(
        work,
        step_id=step.id,
        operation=operation,
        arguments=render_arguments(step, work, operation),
    )
    if isinstance(checked, CallResult):
        raise RefusedCall(f"{step.id} would be refused: {checked.error}")
    return planned(env, step.id, operation, checked)


def planned(
    env: StepEnv, step_id: str, operation: Operation, arguments: dict[str, Any]
) -> dict[str, Any]:
    """A call as a package lists it: shown with secrets masked, pinned by its hash."""
    return {
        "step": step_id,
        "operation": operation.name,
        "arguments": env.caller.shown(operation, arguments),
        "call_hash": call_hash(operation, arguments),
    }


def open_package(
    env: StepEnv,
    work: RunWork,
    step: StepBase,
    approval: Approval,
    kind: str,
    summary: str,
    facts: dict[str, str],
    actions: list[dict[str, Any]],
    deciders: list[str],
    *,
    fields: dict[str, Any] | None = None,
    choice: dict[str, Any] | None = None,
    prepared: dict[str, Any] | None = None,
) -> Transition:
    """Record the pending approval, task or choice with its package, its timeout (and
    reminder) timers and its card, and pause the run on it."""
    assert approval.timeout is not None
    now = work.now()
    package: dict[str, Any] = {
        "sop": {
            "id": work.procedure.id,
            "version": work.procedure.version,
            "hash": work.run.sop_hash,
        },
        "run": work.run.id,
        "step": step.id,
        "summary": summary,
        "facts": facts,
        "actions": actions,
    }
    if fields is not None:
        package["fields"] = fields
    if choice is not None:
        package.update(choice)  # its options and default
    if prepared is not None:
        package["prepared"] = prepared  # hashed with the rest: the decision covers it
    row = ApprovalRow(
        id=new_approval_id(),
        run_id=work.run.id,
        step_id=step.id,
        kind=kind,
        status="pending",
        package=package,
        package_hash=package_hash(package),
        deciders=deciders,
        required=approval.required,
        allow_starter=approval.allow_starter,
        due_at=now + approval.timeout,
        created_at=now,
    )
    work.meta.awaiting = Awaiting(id=row.id, step=step.id, kind=kind)
    card = approval_card(row)
    who = mentions(deciders)

    def record(session: Session) -> None:
        approvals.open_approval(session, row)
        timers.schedule(
            session,
            kind=TimerKind.APPROVAL_TIMEOUT,
            due_at=row.due_at,
            now=now,
            run_id=work.run.id,
            payload={"approval_id": row.id},
        )
        if approval.remind_every:
            timers.schedule(
                session,
                kind=TimerKind.REMINDER,
                due_at=now + approval.remind_every,
                now=now,
                run_id=work.run.id,
                payload={"approval_id": row.id, "every": approval.remind_every.total_seconds()},
            )
        audit.append(
            session,
            at=now,
            actor=BOT_ACTOR,
            action=f"{kind}.open",
            outcome="pending",
            run_id=work.run.id,
            step_id=step.id,
            detail={"approval": row.id, "package": package, "deciders": deciders},
        )
        tell_thread(
            session,
            work.run,
            f"{who}: {summary}",
            now=now,
            card=card,
            fallback=deciders[0],
            approval_id=row.id,
        )

    work.later(record)
    return AwaitPerson(
        RunStatus.WAITING_APPROVAL if kind == "approval" else RunStatus.WAITING_HUMAN
    )


def approval_card(row: ApprovalRow, *, decided: str | None = None) -> Card:
    """The card people decide on; once decided it shows who decided and why, without buttons."""
    package = row.package
    fields = list(package.get("facts", {}).items())
    fields.extend(package_fields(package.get("prepared")))
    for action in package.get("actions", []):
        fields.append(("Will run", shown_call(action)))
    for name, spec in package.get("fields", {}).items():
        fields.append((f"Report {name}", spec.get("type", "string")))
    fields.append(("Who decides", mentions(list(row.deciders))))
    fields.append(("Decide by", row.due_at.strftime("%Y-%m-%d %H:%M UTC")))
    if row.required > 1:
        fields.append(("Approvals needed", str(row.required)))
    buttons: tuple[Button, ...]
    if row.kind == "choice":
        return choice_card(row, fields, decided=decided)
    if row.kind == "task":
        buttons = (
            ()
            if decided
            else (
                Button("Done", "complete", row.id, "primary"),
                Button("Can't do", "decline", row.id, "danger"),
            )
        )
        title = f"Task · {package['sop']['id']} · run {package['run']}"
    else:
        buttons = (
            ()
            if decided
            else (
                Button("Approve", "approve", row.id, "primary"),
                Button("Reject", "reject", row.id, "danger"),
            )
        )
        title = f"Approval · {package['sop']['id']} · run {package['run']}"
    return Card(
        title=title,
        summary=package["summary"],
        fields=tuple(fields),
        buttons=buttons,
        footer=decided
        or f"{row.id} · {package['sop']['id']} v{package['sop']['version']} · package {row.package_hash[:12]}",
    )
