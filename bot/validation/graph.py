"""The step graph: which step can follow which, and why.

Edges carry their reason, because the rules care: a step reached only through a decision
or a failure rule does not run on every run, and a loop needs a decision to leave it.
Steps are numbered by position, so a repeated id (SOP501) does not merge two steps. A
reference that names no step (SOP301) makes the graph incomplete: the rules that judge
every path then stay silent rather than guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from bot.procedure.model import Procedure
from bot.procedure.outcomes import Outcome
from bot.procedure.steps import (
    ActionStep,
    ApprovalStep,
    DecideStep,
    EndStep,
    EscalateStep,
    StepBase,
    WaitStep,
    choice_of,
    task_of,
)

EdgeKind = Literal["next", "decision", "failure", "timeout", "reject"]

_CONSTANTS = {"true": True, "false": False, "none": False}


def constant_truth(condition: str | None) -> bool | None:
    """The truth of a condition written as a constant (``true``, ``false``), else None: such
    a condition fixes the path before the run starts, so the rules must not count it as a
    choice the run makes."""
    if condition is None:
        return None
    return _CONSTANTS.get(condition.strip().lower())


def may_skip(step: StepBase) -> bool:
    """True when the step's ``when`` can be false, so the run may go past it undone."""
    return step.when is not None and constant_truth(step.when) is not True


@dataclass(frozen=True)
class Edge:
    """A possible move from one step to another (``target`` None: the run ends)."""

    target: int | None
    kind: EdgeKind


def _certain_case(step: DecideStep) -> int | None:
    """The case every run takes (written ``when: true`` after cases that are constant false):
    its edge is the normal path, not a decision."""
    for index, case in enumerate(step.decide):
        truth = constant_truth(case.when)
        if truth is None:
            return None
        if truth:
            return index
    return None


class StepGraph:
    """Successors of every step, by position in ``procedure.steps``."""

    def __init__(self, procedure: Procedure) -> None:
        self.steps = procedure.steps
        self.index = procedure.step_index()
        self.complete = True
        """False when a step reference names no step: some edges are then unknown."""
        self.successors: list[list[Edge]] = [
            self._edges(step, position) for position, step in enumerate(self.steps)
        ]

    def _target(self, step_id: str) -> int | None:
        target = self.index.get(step_id)
        if target is None:
            self.complete = False
        return target

    def _after(self, step: StepBase, position: int) -> int | None:
        """Where the run goes once the step is done (or skipped by its ``when``)."""
        if step.next is not None:
            return self._target(step.next)
        return position + 1 if position + 1 < len(self.steps) else None

    def _edges(self, step: StepBase, position: int) -> list[Edge]:
        after = self._after(step, position)
        edges: list[Edge] = []
        if isinstance(step, DecideStep):
            certain = _certain_case(step)
            edges.extend(
                Edge(self._target(case.goto), "next" if index == certain else "decision")
                for index, case in enumerate(step.decide)
            )
            otherwise = self._target(step.otherwise) if step.otherwise else after
            edges.append(Edge(otherwise, "decision"))
            if may_skip(step):
                edges.append(Edge(after, "next"))
            return edges
        choice = choice_of(step)
        if choice is not None:  # a person (or a sure model) picks the way on; no pick escalates
            edges.extend(Edge(self._target(option.goto), "decision") for option in choice.options)
            if choice.default is None:
                edges.append(Edge(None, "timeout"))
            if may_skip(step):
                edges.append(Edge(after, "next"))
            return edges
        ends_run = isinstance(step, EndStep) or (
            isinstance(step, EscalateStep) and not step.escalate.continue_
        )
        if not ends_run or may_skip(step):
            edges.append(Edge(after, "next"))
        if isinstance(step, ActionStep):
            edges.append(self._outcome_edge(step.on_failure, after, "failure"))
        elif isinstance(step, ApprovalStep):
            edges.append(self._outcome_edge(step.approval.on_timeout, after, "timeout"))
            edges.append(self._outcome_edge(step.approval.on_reject, after, "reject"))
        elif (task := task_of(step)) is not None:
            edges.append(self._outcome_edge(task.on_timeout, after, "timeout"))
        elif isinstance(step, WaitStep):
            edges.append(self._outcome_edge(step.wait.on_timeout, after, "timeout"))
            edges.append(self._outcome_edge(step.on_failure, after, "failure"))
        return edges

    def _outcome_edge(self, outcome: Outcome | None, after: int | None, kind: EdgeKind) -> Edge:
        if outcome is None or outcome.then in ("escalate", "stop"):
            return Edge(None, kind)
        if outcome.then == "skip":
            return Edge(after, kind)
        return Edge(self._target(outcome.goto or ""), kind)

    @cached_property
    def reachable_steps(self) -> set[int]:
        """Steps reachable from the first one by any edge."""
        return self.reachable()

    def reachable(self, kinds: Iterable[EdgeKind] | None = None) -> set[int]:
        """Steps reachable from the first one, following only edges of ``kinds``."""
        allowed = set(kinds) if kinds is not None else None
        seen = {0}
        pending = [0]
        while pending:
            for edge in self.successors[pending.pop()]:
                if edge.target is None or edge.target in seen:
                    continue
                if allowed is None or edge.kind in allowed:
                    seen.add(edge.target)
                    pending.append(edge.target)
        return seen

    def cycles(self) -> list[list[int]]:
        """The loops: groups of steps that can repeat (Tarjan's strongly connected
        components, iterative so a long procedure cannot exhaust the stack)."""
        if not any(
            edge.target is not None and edge.target <= source
            for source, edges in enumerate(self.successors)
            for edge in edges
        ):
            return []  # every edge leads forward: no step can repeat
        order: dict[int, int] = {}
        low: dict[int, int] = {}
        stack: list[int] = []
        on_stack: set[int] = set()
        found: list[list[int]] = []
        for root in range(len(self.steps)):
            if root in order:
                continue
            work = [(root, 0)]
            while work:
                node, next_edge = work.pop()
                if next_edge == 0:
                    order[node] = low[node] = len(order)
                    stack.append(node)
                    on_stack.add(node)
                edges = self.successors[node]
                while next_edge < len(edges):
                    target = edges[next_edge].target
                    next_edge += 1
                    if target is None:
                        continue
                    if target not in order:
                        work.append((node, next_edge))
                        work.append((target, 0))
                        break
                    if target in on_stack:
                        low[node] = min(low[node], order[target])
                else:
                    if low[node] == order[node]:
                        group = self._pop_group(node, stack, on_stack)
                        if len(group) > 1 or any(e.target == node for e in edges):
                            found.append(group)
                    if work:
                        parent = work[-1][0]
                        low[parent] = min(low[parent], low[node])
        return found

    @staticmethod
    def _pop_group(node: int, stack: list[int], on_stack: set[int]) -> list[int]:
        group: list[int] = []
        while True:
            member = stack.pop()
            on_stack.discard(member)
            group.append(member)
            if member == node:
                return sorted(group)

    def names_before(self, saves: list[set[str]]) -> list[set[str]]:
        """For each step, every name that a step which can run before it saves.

        ``saves[i]`` is what step i saves. Only paths from the first step count."""
        before: list[set[str]] = [set() for _ in self.steps]
        reachable = self.reachable_steps
        pending = sorted(reachable, reverse=True)  # every step once, then what changes
        queued = set(reachable)
        while pending:
            node = pending.pop()
            queued.discard(node)
            carried = before[node] | saves[node]
            for edge in self.successors[node]:
                target = edge.target
                if target is None or target not in reachable or carried <= before[target]:
                    continue
                before[target] |= carried
                if target not in queued:
                    queued.add(target)
                    pending.append(target)
        return before
