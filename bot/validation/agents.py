"""SOP280-SOP285 for the agent steps: a prepare step's model may only read (operations that
exist, do not write and are not forbidden), recommends one of two or more declared options,
within sane limits (a judge's and a draft's time too); an approval's ``prepared`` names a
package some prepare step saves; a draft goes out through an operation that sends text."""

from __future__ import annotations

import datetime as dt

from bot.procedure.source_map import Path
from bot.procedure.steps import ApprovalStep, DraftStep, JudgeStep, PrepareStep
from bot.validation.context import SopContext, did_you_mean

MOST_CALLS = 20
SHORTEST_BUDGET = dt.timedelta(seconds=1)
LONGEST_BUDGET = dt.timedelta(minutes=10)


def check_prepare_steps(context: SopContext) -> None:
    """SOP280-SOP283: each prepare step's reads, options and limits."""
    for index, step in enumerate(context.procedure.steps):
        if isinstance(step, PrepareStep):
            path: Path = ("steps", index, "prepare")
            _check_reads(context, step, path)
            _check_options(context, step, path)
            _check_limits(context, step, path)


def _check_reads(context: SopContext, step: PrepareStep, path: Path) -> None:
    never = set(context.procedure.permissions.never)
    for position, name in enumerate(step.prepare.reads):
        where = (*path, "reads", position)
        operation = context.catalogue.get(name)
        if operation is None:
            suggestion = context.catalogue.suggest(name)
            context.report(
                "SOP280",
                where,
                f"'{name}' is no operation of the catalogue"
                + (f" (did you mean '{suggestion}'?)" if suggestion else ""),
            )
        elif operation.writes:
            context.report(
                "SOP280",
                where,
                f"'{name}' writes: a prepare step may only read, so the model can never "
                "change anything on its own",
                "call it in an action step after the approval instead",
            )
        elif name in never:
            context.report(
                "SOP281", where, f"'{name}' is on permissions.never of '{context.procedure.id}'"
            )


def _check_options(context: SopContext, step: PrepareStep, path: Path) -> None:
    options = step.prepare.options
    if len(options) < 2:
        context.report(
            "SOP282",
            (*path, "options"),
            f"'{step.id}' declares {len(options)} option{'' if len(options) == 1 else 's'}: "
            "a recommendation needs at least two to choose from",
        )
    seen: set[str] = set()
    for position, option in enumerate(options):
        if option in seen:
            context.report(
                "SOP282", (*path, "options", position), f"the option '{option}' is declared twice"
            )
        seen.add(option)


def _check_limits(context: SopContext, step: PrepareStep, path: Path) -> None:
    prepare = step.prepare
    if prepare.reads and not 1 <= prepare.max_calls <= MOST_CALLS:
        context.report(
            "SOP283",
            (*path, "max_calls"),
            f"max_calls is {prepare.max_calls}: with reads listed it must be 1 to {MOST_CALLS}",
        )
    _check_budget(context, prepare.budget, path)


def check_model_budgets(context: SopContext) -> None:
    """SOP283: each judge and draft step's budget (a prepare step's is checked with it)."""
    for index, step in enumerate(context.procedure.steps):
        if isinstance(step, JudgeStep):
            _check_budget(context, step.judge.budget, ("steps", index, "judge"))
        elif isinstance(step, DraftStep):
            _check_budget(context, step.draft.budget, ("steps", index, "draft"))


def _check_budget(context: SopContext, budget: dt.timedelta, path: Path) -> None:
    if not SHORTEST_BUDGET <= budget <= LONGEST_BUDGET:
        context.report(
            "SOP283",
            (*path, "budget"),
            f"a budget of {budget} is outside 1s to 10m: the run would either never "
            "get an answer or hold its worker too long",
        )


def check_prepared_approvals(context: SopContext) -> None:
    """SOP284: an approval's ``prepared`` is the save_as of a prepare step, and of no other
    step: the card would show what that one saved (an issue, an order) as a package a model
    prepared."""
    steps = context.procedure.steps
    packages = [step.save_as for step in steps if isinstance(step, PrepareStep)]
    for index, step in enumerate(steps):
        if not isinstance(step, ApprovalStep) or step.approval.prepared is None:
            continue
        name, path = step.approval.prepared, ("steps", index, "approval", "prepared")
        if name not in packages:
            context.report(
                "SOP284",
                path,
                f"no prepare step saves a package as '{name}'" + did_you_mean(name, packages),
            )
            continue
        for saved in context.sites.saved:
            saver = None if saved.step is None else steps[saved.step]
            if saved.name == name and not isinstance(saver, PrepareStep):
                by = f"step '{saver.id}'" if saver is not None else "a call outside the steps"
                context.report(
                    "SOP284",
                    path,
                    f"'{name}' is also saved by {by}: the approval '{step.id}' would show "
                    "what that saves as the prepared package",
                )


def check_draft_targets(context: SopContext) -> None:
    """SOP285: a draft's ``for`` names an operation that sends text (its disclosures apply)."""
    for index, step in enumerate(context.procedure.steps):
        if not isinstance(step, DraftStep) or step.draft.for_ is None:
            continue
        name = step.draft.for_
        operation = context.catalogue.get(name)
        if operation is None or not operation.text_args:
            senders = [op.name for op in context.catalogue if op.text_args and op.writes]
            context.report(
                "SOP285",
                ("steps", index, "draft", "for"),
                f"'{name}' "
                + ("is no operation of the catalogue" if operation is None else "sends no text")
                + did_you_mean(name, senders),
            )


CHECKS = (
    check_prepare_steps,
    check_model_budgets,
    check_prepared_approvals,
    check_draft_targets,
)
