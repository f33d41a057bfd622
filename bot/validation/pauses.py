"""SOP402, SOP411, SOP412: a run that waits for people or for time always has someone to
ask and an end (nothing stuck), and an approval shows what it approves."""

from __future__ import annotations

from bot.identity import is_user_id
from bot.procedure.source_map import Path
from bot.procedure.steps import ActionStep, ApprovalStep, Task, WaitStep, step_kind, task_of
from bot.procedure.types import DynamicTarget
from bot.validation.context import SopContext


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
        elif is_user_id(target) or target == "starter":
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
    for index, step in enumerate(context.procedure.steps):
        path: Path = ("steps", index)
        if isinstance(step, ApprovalStep):
            _check_approval(context, step, (*path, "approval"))
        elif (task := task_of(step)) is not None:
            _check_task(context, task, (*path, step_kind(step) or ""))
        elif isinstance(step, WaitStep) and step.wait.until is not None and not step.wait.timeout:
            context.report(
                "SOP402",
                (*path, "wait"),
                "this wait has no timeout: if the condition never holds, the run waits forever",
                "add timeout (such as 30d) and on_timeout",
            )


def _check_approval(context: SopContext, step: ApprovalStep, path: Path) -> None:
    approval = step.approval
    if _nobody(context, approval.approvers):
        context.report(
            "SOP402",
            (*path, "approvers"),
            "the approvers resolve to nobody: every role is empty",
            "add people to the role, or list other approvers",
        )
    if approval.timeout is None:
        context.report(
            "SOP402",
            path,
            "this approval has no timeout: the run could wait forever",
            "add timeout (such as 1d) and on_timeout",
        )
    if approval.on_timeout is None:
        context.report(
            "SOP402",
            path,
            "this approval has no on_timeout: say what happens when nobody decides",
            "add on_timeout: escalate (or skip, stop, goto:STEP)",
        )
    people = _members(context, approval.approvers)
    if people and approval.required > len(people):
        listed = f"{len(people)} approver{'s are' if len(people) > 1 else ' is'} listed"
        context.report(
            "SOP411",
            (*path, "required"),
            f"{approval.required} approvals are required, but only {listed}",
        )
    steps = context.procedure.steps
    for position, covered in enumerate(approval.covers):
        target = context.step_ids.get(covered)
        if target is not None and not isinstance(steps[target], ActionStep):
            context.report(
                "SOP412",
                (*path, "covers", position),
                f"step '{covered}' is not an action; an approval covers the exact calls of "
                "action steps",
            )


def _check_task(context: SopContext, task: Task, path: Path) -> None:
    if _nobody(context, [task.assignee]):
        context.report(
            "SOP402",
            (*path, "assignee"),
            "the assignee resolves to nobody: the role is empty",
            "add people to the role, or assign someone else",
        )
    if task.due is None:
        context.report(
            "SOP402",
            path,
            "this task has no due time: the run could wait forever",
            "add due (such as 2d) and on_timeout",
        )
    if task.on_timeout is None:
        context.report(
            "SOP402",
            path,
            "this task has no on_timeout: say what happens when it is overdue",
            "add on_timeout: escalate (or skip, stop, goto:STEP)",
        )


CHECKS = (check_pauses,)
