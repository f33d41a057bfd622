"""SOP230: a saved name is read only where every path to the reading step has saved it.

SOP209 asks whether some path saves a name before it is read; a name saved on only one
branch, by a step its ``when`` may skip, or by a call whose failure rule skips it, passes
that check and then stops the run as undefined. This is definite assignment over the step
graph: a name counts as saved after a step only along the step's normal way on (its
``next``), never along a failure, a timeout, a rejection or a skip. The finding shows one
path that reaches the reading step without the name, since that is what the author must
change.
"""

from __future__ import annotations

from collections import deque

from bot.procedure.expressions import ExpressionError, analyse
from bot.procedure.steps import (
    ActionStep,
    DraftStep,
    PrepareStep,
    SetStep,
    StepBase,
    TaskStep,
    WaitStep,
)
from bot.validation.context import SopContext
from bot.validation.graph import Edge, StepGraph, may_skip
from bot.validation.sites import ExpressionSite

_GUARDS_FILTERS = frozenset(("default", "d"))
_GUARDS_TESTS = frozenset(("defined", "undefined"))
_EDGE_WORDS = {"failure": "fails", "timeout": "times out", "reject": "is rejected"}
_SHOWN_STEPS = 6


def check_definite_assignment(context: SopContext) -> None:
    """SOP230: every read of a saved name is reached only through paths that save it."""
    graph = context.graph
    saved_by_steps = {saved.name for saved in context.sites.saved if saved.step is not None}
    if not graph.complete or not saved_by_steps:
        return  # SOP301 reports the broken reference; the paths are not known
    steps = context.procedure.steps
    saves = [_saved_on_completion(step) for step in steps]
    always = _always_saved_before(graph, saves)
    sometimes = context.names_before
    reported: set[tuple[int, str]] = set()
    for site in context.sites.expressions:
        step = site.step
        known = always[step] if step is not None and site.scope == "step" else None
        if step is None or known is None:
            continue  # not in a step, or a step no path reaches (SOP302)
        for name in _unguarded_names(site, saved_by_steps):
            if (
                name in known
                or name in site.local_names
                or name not in sometimes[step]  # SOP209: no path saves it at all
                or (step, name) in reported
            ):
                continue
            reported.add((step, name))
            route = _path_without(graph, saves, name, step)
            context.report(
                "SOP230",
                site.path,
                f"'{name}' is not set when the run comes from {route}",
                f"save '{name}' on every path to '{steps[step].id}' (a set step with a "
                f"fallback value on the other branch), or read it as "
                f"{name} | default(...) or test '{name} is defined'",
                needle=name,
            )


def _saved_on_completion(step: StepBase) -> frozenset[str]:
    """Names a step has surely saved when it goes on along its normal way."""
    if isinstance(step, SetStep):
        return frozenset(step.set)
    if isinstance(step, ActionStep | TaskStep | PrepareStep | DraftStep) and step.save_as:
        return frozenset((step.save_as,))
    if isinstance(step, WaitStep) and step.wait.refresh is not None and step.wait.refresh.save_as:
        return frozenset((step.wait.refresh.save_as,))  # refreshed before every check
    return frozenset()


def _carried(graph: StepGraph, source: int, edge: Edge) -> bool:
    """True when moving along ``edge`` means ``source`` has done its work (and saved)."""
    return edge.kind == "next" and not may_skip(graph.steps[source])


def _always_saved_before(
    graph: StepGraph, saves: list[frozenset[str]]
) -> list[frozenset[str] | None]:
    """For each step, the names every path from the first step has saved (None: no path
    reaches the step). A forward must-analysis, narrowed until nothing changes."""
    before: list[frozenset[str] | None] = [None] * len(graph.steps)
    if not graph.steps:
        return before
    before[0] = frozenset()
    pending = [0]
    while pending:
        node = pending.pop()
        known = before[node]
        assert known is not None
        for edge in graph.successors[node]:
            target = edge.target
            if target is None or target == 0:
                continue
            carried = known | saves[node] if _carried(graph, node, edge) else known
            current = before[target]
            narrowed = carried if current is None else current & carried
            if narrowed != current:
                before[target] = narrowed
                pending.append(target)
    return before


def _unguarded_names(site: ExpressionSite, candidates: set[str]) -> list[str]:
    """Saved names the expression reads without a ``default`` or an ``is defined`` guard."""
    try:
        analysis = analyse(site.text, condition=site.condition)
    except ExpressionError:
        return []  # SOP207 reports it
    if analysis.filters & _GUARDS_FILTERS or analysis.tests & _GUARDS_TESTS:
        return []
    return list(dict.fromkeys(r.root for r in analysis.references if r.root in candidates))


def _path_without(graph: StepGraph, saves: list[frozenset[str]], name: str, goal: int) -> str:
    """The shortest path from the first step to ``goal`` along which ``name`` is never
    saved, written as the author reads it: ``check_policy → already_refunded``."""
    came_from: dict[int, tuple[int, Edge] | None] = {0: None}
    queue = deque([0])
    while queue and goal not in came_from:
        node = queue.popleft()
        for edge in graph.successors[node]:
            target = edge.target
            if target is None or target in came_from:
                continue
            if name in saves[node] and _carried(graph, node, edge):
                continue
            came_from[target] = (node, edge)
            queue.append(target)
    parts: list[str] = [graph.steps[goal].id]
    node = goal
    while (step := came_from.get(node)) is not None:
        node, edge = step
        word = _EDGE_WORDS.get(edge.kind)
        if word is None and name in saves[node] and edge.kind == "next":
            word = "is skipped"
        parts.append(f"{graph.steps[node].id} ({word})" if word else graph.steps[node].id)
    parts.reverse()
    if len(parts) > _SHOWN_STEPS:
        parts = [parts[0], "…", *parts[-(_SHOWN_STEPS - 2) :]]
    return " → ".join(parts)


CHECKS = (check_definite_assignment,)
