"""Rules that keep runs from getting stuck or doing harm: failure rules on writes, approvals
and tasks that always end, escalations that reach a person, retries that cannot repeat a
side effect."""

from __future__ import annotations

from bot.procedure.source_map import Path
from bot.procedure.steps import ActionStep, ApprovalStep, EscalateStep, TaskStep, WaitStep
from bot.procedure.types import DynamicTarget
from bot.validation.context import SopContext

_USER_PREFIXES = ("U", "W")


def check_failure_rules(context: SopContext) -> None:
    """SOP401, SOP413, SOP414: writes say what happens when they fail, and retries and
    idempotency keys match what the operation promises."""
    for index, step in enumerate(context.procedure.steps):
        path: Path = ("steps", index)
        if isinstance(step, WaitStep):
            writer = step.wait.while_waiting
            operation = context.catalogue.get(writer.action) if writer else None
            if operation is not None and operation.writes and step.on_failure is None:
                context.report(
                    "SOP401",
                    (*path, "wait", "while_waiting", "action"),
                    f"'{operation.name}' changes another system, and this wait has no "
                    "on_failure rule for it",
                )
            continue
        if not isinstance(step, ActionStep):
            continue
        operation = context.catalogue.get(step.action)
        if operation is None:
            continue
        if operation.writes and step.on_failure is None:
            context.report(
                "SOP401",
                (*path, "action"),
                f"'{operation.name}' changes another system, and this step has no on_failure "
                "rule: say what happens when it fails",
            )
        keyed = step.idempotency_key is not None and operation.accepts_idempotency_key
        retry = step.on_failure.retry if step.on_failure else None
        if retry is not None and operation.writes and not operation.idempotent and not keyed:
            context.report(
                "SOP413",
                (*path, "on_failure", "retry"),
                f"'{operation.name}' is retried, but repeating it is not safe: a timed-out "
                "try may have happened, so a retry could do it twice",
                "add an idempotency_key"
                if operation.accepts_idempotency_key
                else "drop the retry, or escalate instead",
            )
        if step.idempotency_key is not None and not operation.accepts_idempotency_key:
            context.report(
                "SOP414",
                (*path, "idempotency_key"),
                f"'{operation.name}' does not honour an idempotency key; this one is ignored",
            )


def _members(
    context: SopContext, targets: list[DynamicTarget], seen: frozenset[str] = frozenset()
) -> list[str] | None:
    """The concrete people behind targets with roles expanded; None when it cannot be told
    (a group, a channel, a {{ template }}, or an undefined or circular role)."""
    people: list[str] = []
    for target in targets:
        if target.startswith("role:"):
            members = context.procedure.roles.get(target.removeprefix("role:"))
            if members is None or target in seen:
                return None
            expanded = _members(context, list(members), seen | {target})
            if expanded is None:
                return None
            people.extend(expanded)
        elif target.startswith(_USER_PREFIXES) or target == "starter":
            people.append(target)
        else:
            return None
    return list(dict.fromkeys(people))


def _nobody(context: SopContext, targets: list[DynamicTarget]) -> bool:
    """True when every target is a role that resolves to nobody."""
    return bool(targets) and all(
        target.startswith("role:")
        and context.procedure.roles.get(target.removeprefix("role:")) == []
        for target in targets
    )


def check_pauses(context: SopContext) -> None:
    """SOP402, SOP411, SOP412: approvals, tasks and waits have someone to ask and an end."""
    steps = context.procedure.steps
    for index, step in enumerate(steps):
        path: Path = ("steps", index)
        if isinstance(step, ApprovalStep):
            approval = step.approval
            where: Path = (*path, "approval")
            if _nobody(context, approval.approvers):
                context.report(
                    "SOP402",
                    (*where, "approvers"),
                    "the approvers resolve to nobody: every role is empty",
                )
            if approval.timeout is None:
                context.report(
                    "SOP402",
                    where,
                    "this approval has no timeout: the run could wait forever",
                    "add timeout (such as 1d) and on_timeout",
                )
            if approval.on_timeout is None:
                context.report(
                    "SOP402",
                    where,
                    "this approval has no on_timeout: say what happens when nobody decides",
                    "add on_timeout: escalate (or skip, stop, goto:STEP)",
                )
            people = _members(context, approval.approvers)
            if people and approval.required > len(people):
                listed = f"{len(people)} approver{'s are' if len(people) > 1 else ' is'} listed"
                context.report(
                    "SOP411",
                    (*where, "required"),
                    f"{approval.required} approvals are required, but only {listed}",
                )
            for position, covered in enumerate(approval.covers):
                target = context.step_ids.get(covered)
                if target is not None and not isinstance(steps[target], ActionStep):
                    context.report(
                        "SOP412",
                        (*where, "covers", position),
                        f"step '{covered}' is not an action; an approval covers the exact calls "
                        "of action steps",
                    )
        elif isinstance(step, TaskStep):
            task = step.task
            where = (*path, "task")
            if _nobody(context, [task.assignee]):
                context.report(
                    "SOP402",
                    (*where, "assignee"),
                    "the assignee resolves to nobody: the role is empty",
                )
            if task.due is None:
                context.report(
                    "SOP402",
                    where,
                    "this task has no due time: the run could wait forever",
                    "add due (such as 2d) and on_timeout",
                )
            if task.on_timeout is None:
                context.report(
                    "SOP402",
                    where,
                    "this task has no on_timeout: say what happens when it is overdue",
                    "add on_timeout: escalate (or skip, stop, goto:STEP)",
                )
        elif (
            isinstance(step, WaitStep) and step.wait.until is not None and step.wait.timeout is None
        ):
            context.report(
                "SOP402",
                (*path, "wait"),
                "this wait has no timeout: if the condition never holds, the run waits forever",
                "add timeout (such as 30d) and on_timeout",
            )


def check_escalations(context: SopContext) -> None:
    """SOP403, SOP404: every escalation reaches someone, and none fires on every run."""
    has_default = context.procedure.escalation is not None
    if not has_default:
        for site in context.sites.outcomes:
            if site.outcome.then == "escalate" and not site.outcome.to:
                context.report(
                    "SOP403",
                    site.path,
                    f"{site.kind} escalates, but names no one and the procedure has no default "
                    "escalation",
                )
    always = context.graph.reachable(kinds=("next",))
    for index, step in enumerate(context.procedure.steps):
        if not isinstance(step, EscalateStep):
            continue
        path: Path = ("steps", index, "escalate")
        if not step.escalate.to and not has_default:
            context.report(
                "SOP403",
                path,
                "this step escalates, but names no one and the procedure has no default escalation",
            )
        if step.when is None and index in always:
            context.report(
                "SOP404",
                path,
                f"step '{step.id}' escalates on every run: nothing but the normal path leads to it",
            )


def check_sla_clocks(context: SopContext) -> None:
    """SOP406: an SLA clock escalates when it runs out."""
    for index, clock in enumerate(context.procedure.sla):
        if not clock.escalations:
            context.report(
                "SOP406",
                ("sla", index),
                f"SLA clock '{clock.id}' has no escalations: a breach would go unnoticed",
            )


CHECKS = (check_failure_rules, check_pauses, check_escalations, check_sla_clocks)
