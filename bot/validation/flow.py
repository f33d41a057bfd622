"""Rules about the shape of the run: every jump lands on a step, every step can run, and
no loop spins forever without waiting for anything."""

from __future__ import annotations

from bot.procedure.source_map import Path
from bot.procedure.steps import (
    ApprovalStep,
    DecideStep,
    EndStep,
    EscalateStep,
    StepBase,
    TaskStep,
    WaitStep,
    choice_of,
    step_kind,
)
from bot.validation.context import SopContext, did_you_mean


def check_step_references(context: SopContext) -> None:
    """SOP301: next, goto, otherwise, outcome goto, stops_at, covers and option gotos name
    real steps."""
    known = context.step_ids

    def check(step_id: str | None, path: Path, what: str) -> None:
        if step_id is not None and step_id not in known:
            message = f"{what} names no step '{step_id}'" + did_you_mean(step_id, known)
            context.report("SOP301", path, message)

    for index, step in enumerate(context.procedure.steps):
        path: Path = ("steps", index)
        check(step.next, (*path, "next"), "next")
        if isinstance(step, DecideStep):
            for case_index, case in enumerate(step.decide):
                check(case.goto, (*path, "decide", case_index, "goto"), "goto")
            check(step.otherwise, (*path, "otherwise"), "otherwise")
        elif (choice := choice_of(step)) is not None:
            key = step_kind(step) or ""
            for position, option in enumerate(choice.options):
                check(option.goto, (*path, key, "options", position, "goto"), "option goto")
        elif isinstance(step, ApprovalStep):
            for position, covered in enumerate(step.approval.covers):
                check(covered, (*path, "approval", "covers", position), "covers")
    for site in context.sites.outcomes:
        check(site.outcome.goto, (*site.path, "goto"), f"{site.kind} goto")
    for index, clock in enumerate(context.procedure.sla):
        check(clock.stops_at, ("sla", index, "stops_at"), "stops_at")


def check_reachability(context: SopContext) -> None:
    """SOP302: every step can be reached from the first one (not judged while a step
    reference is broken: SOP301 says so first)."""
    if not context.graph.complete:
        return
    reachable = context.graph.reachable_steps
    for index, step in enumerate(context.procedure.steps):
        if index not in reachable:
            context.report(
                "SOP302",
                ("steps", index),
                f"step '{step.id}' can never run: no path from the first step leads to it",
            )


def _pauses(step: StepBase) -> bool:
    return isinstance(step, WaitStep | ApprovalStep | TaskStep) or choice_of(step) is not None


def _ends_run(step: StepBase) -> bool:
    return isinstance(step, EndStep) or (
        isinstance(step, EscalateStep) and not step.escalate.continue_
    )


def check_loops(context: SopContext) -> None:
    """SOP303: a loop must pause (wait, approval, task) or have a way out on the normal
    path (a decision, a step that ends the run, or a step whose next leaves the loop)."""
    steps = context.procedure.steps
    graph = context.graph
    for members in graph.cycles():
        inside = set(members)
        if any(_pauses(steps[member]) for member in members):
            continue
        leaves = any(
            _ends_run(steps[member])
            or any(
                edge.kind in ("next", "decision") and edge.target not in inside
                for edge in graph.successors[member]
            )
            for member in members
        )
        if leaves:
            continue  # failures and timeouts do not count: the loop spins while all goes well
        closing = max(
            member
            for member in members
            if any(
                edge.target in inside and edge.target <= member for edge in graph.successors[member]
            )
        )
        names = ", ".join(f"'{steps[member].id}'" for member in members)
        path: Path = ("steps", closing, "next") if steps[closing].next else ("steps", closing)
        context.report(
            "SOP303",
            path,
            f"steps {names} form a loop with no way out: nothing in it waits, asks a person "
            "or decides to leave",
        )


CHECKS = (check_step_references, check_reachability, check_loops)
