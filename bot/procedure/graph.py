"""A procedure as a graph: the flow between its steps, drawn as a Mermaid flowchart.

Reviewers judge an SOP by its unhappy paths, so every failure, timeout and rejection rule
becomes a dashed, labelled edge next to the normal flow; a page of YAML hides them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.procedure.durations import format_duration
from bot.procedure.model import Procedure
from bot.procedure.outcomes import FailureRule, Outcome
from bot.procedure.steps import (
    ActionStep,
    ApprovalStep,
    Choice,
    ChooseStep,
    DecideStep,
    DraftStep,
    EndStep,
    EscalateStep,
    JudgeStep,
    PrepareStep,
    SetStep,
    StepBase,
    TaskStep,
    Wait,
    WaitStep,
    choice_of,
    task_of,
)

START = "@start"
COMPLETED = "@completed"
STOPPED = "@stopped"
REJECTED = "@rejected"
ESCALATED = "@escalate:"
"""Terminals are keys that no step id can take (step ids are lower_snake_case)."""

EdgeKind = Literal["next", "case", "otherwise", "skip", "outcome"]


@dataclass(frozen=True)
class FlowEdge:
    """One way a run moves on: from a step (or the start) to a step or a terminal.

    ``skip`` leaves a step whose ``when`` is false; ``outcome`` is a failure, timeout or
    rejection rule.
    """

    source: str
    target: str
    kind: EdgeKind
    label: str | None = None


def short_duration(value: dt.timedelta) -> str:
    """Whole days stay in days (``180d``, not ``25w5d``): that is how SOP authors write them."""
    if value.days and not value.seconds:
        return f"{value.days}d"
    return format_duration(value)


def describe_wait(wait: Wait, separator: str = ", ") -> str:
    """``for 4h`` or ``until claim.status != 'open', checked at 7d, 14d, 30d``."""
    if wait.for_ is not None:
        return f"for {short_duration(wait.for_)}"
    if wait.check_at:
        checks = "checked at " + ", ".join(short_duration(at) for at in wait.check_at)
    else:
        checks = f"checked every {short_duration(wait.check_every or dt.timedelta())}"
    return f"until {wait.until}{separator}{checks}"


def escalation_targets(targets: Sequence[str], procedure: Procedure) -> Sequence[str]:
    """Who an escalation reaches: its own targets, else the procedure's default."""
    if not targets and procedure.escalation is not None:
        return procedure.escalation.to
    return targets


def escalation_terminal(targets: Sequence[str], procedure: Procedure) -> str:
    """The terminal of an escalation outcome: one per distinct list of people."""
    return ESCALATED + ",".join(escalation_targets(targets, procedure))


def flow_edges(procedure: Procedure) -> list[FlowEdge]:
    """Every edge of the procedure's flow, in step order."""
    steps = procedure.steps
    edges = [FlowEdge(START, steps[0].id, "next")]
    for position, step in enumerate(steps):
        following = steps[position + 1].id if position + 1 < len(steps) else COMPLETED
        successor = step.next or following
        if step.when:
            edges.append(FlowEdge(step.id, successor, "skip", f"not {step.when}"))
        edges.extend(_step_edges(step, successor, procedure))
    return edges


def _step_edges(step: StepBase, successor: str, procedure: Procedure) -> Iterator[FlowEdge]:
    if isinstance(step, DecideStep):
        for case in step.decide:
            yield FlowEdge(step.id, case.goto, "case", case.when)
        yield FlowEdge(step.id, step.otherwise or successor, "otherwise", "otherwise")
        return
    choice = choice_of(step)
    if choice is not None:
        yield from _choice_edges(step.id, choice, procedure)
        return
    if isinstance(step, EndStep) or (
        isinstance(step, EscalateStep) and not step.escalate.continue_
    ):
        return
    label = {ApprovalStep: "approved", TaskStep: "done"}.get(type(step))
    yield FlowEdge(step.id, successor, "next", label)
    yield from _outcome_edges(step, successor, procedure)


def _choice_edges(step_id: str, choice: Choice, procedure: Procedure) -> Iterator[FlowEdge]:
    """One branch per option, labelled as its button; then what happens when nobody picks."""
    for option in choice.options:
        yield FlowEdge(step_id, option.goto, "case", option.label)
    waited = f" in {short_duration(choice.timeout)}" if choice.timeout else ""
    default = choice.default_option()
    if default is not None:
        yield FlowEdge(step_id, default.goto, "outcome", f"nobody picks{waited}: {default.label}")
    else:
        terminal = escalation_terminal([], procedure)
        yield FlowEdge(step_id, terminal, "outcome", f"nobody picks{waited}")


def _outcome_edges(step: StepBase, successor: str, procedure: Procedure) -> Iterator[FlowEdge]:
    rules: list[tuple[str, Outcome | None]] = []
    if isinstance(step, ActionStep):
        rules.append(("fails" + _retries(step.on_failure), step.on_failure))
    elif isinstance(step, ApprovalStep):
        approval = step.approval
        waited = f" in {short_duration(approval.timeout)}" if approval.timeout else ""
        rules.append((f"no decision{waited}", approval.on_timeout))
        if approval.on_reject is None:
            yield FlowEdge(step.id, REJECTED, "outcome", "rejected")
        rules.append(("rejected", approval.on_reject))
    elif (task := task_of(step)) is not None:
        due = f" after {short_duration(task.due)}" if task.due else ""
        rules.append((f"overdue{due}", task.on_timeout))
    elif isinstance(step, WaitStep):
        wait = step.wait
        limit = f" after {short_duration(wait.timeout)}" if wait.timeout else ""
        rules.append((f"timed out{limit}", wait.on_timeout))
        rules.append(("check fails" + _retries(step.on_failure), step.on_failure))
    for label, outcome in rules:
        if outcome is not None:
            yield _outcome_edge(step.id, label, outcome, successor, procedure)


def _retries(rule: FailureRule | None) -> str:
    if rule is None or rule.retry is None:
        return ""
    attempts = rule.retry.attempts
    return f" after {attempts} {'retry' if attempts == 1 else 'retries'}"


def _outcome_edge(
    source: str, label: str, outcome: Outcome, successor: str, procedure: Procedure
) -> FlowEdge:
    if outcome.then == "escalate":
        return FlowEdge(source, escalation_terminal(outcome.to, procedure), "outcome", label)
    if outcome.then == "skip":
        return FlowEdge(source, successor, "outcome", f"{label}: skip")
    if outcome.then == "stop":
        return FlowEdge(source, STOPPED, "outcome", label)
    return FlowEdge(source, outcome.goto or successor, "outcome", label)


# --- Mermaid -------------------------------------------------------------------------------

CLASS_STYLES: dict[str, str] = {
    "start": "fill:#eceff1,stroke:#455a64",
    "read": "fill:#e8f0fe,stroke:#4a6fa5",
    "write": "fill:#fff3e0,stroke:#e65100,stroke-width:2px",
    "compute": "fill:#f5f5f5,stroke:#9e9e9e",
    "decision": "fill:#fff8e1,stroke:#b38f00",
    "approval": "fill:#e8f5e9,stroke:#2e7d32,stroke-width:2px",
    "task": "fill:#f3e5f5,stroke:#7b1fa2",
    "wait": "fill:#e0f7fa,stroke:#00838f,stroke-dasharray:4 3",
    "escalation": "fill:#ffebee,stroke:#c62828,stroke-width:2px",
    "completed": "fill:#e8f5e9,stroke:#2e7d32",
    "cancelled": "fill:#eeeeee,stroke:#616161",
    "failed": "fill:#ffebee,stroke:#c62828",
    "missing": "fill:#ffffff,stroke:#c62828,stroke-dasharray:2 2",
}
"""One class per kind of node, so kinds differ in colour as well as in shape."""

_SHAPES: dict[str, tuple[str, str]] = {
    "start": ("((", "))"),
    "read": ("[", "]"),
    "write": ("[", "]"),
    "compute": ("[/", "/]"),
    "decision": ("{", "}"),
    "approval": ("{{", "}}"),
    "task": ("[/", "\\]"),
    "wait": ("(", ")"),
    "escalation": (">", "]"),
    "completed": ("([", "])"),
    "cancelled": ("([", "])"),
    "failed": ("([", "])"),
    "missing": ("[", "]"),
}
_LABEL_LIMIT = 60
_ENTITY_LIKE = re.compile(r"#(?=\w*;)")


class Effect(Protocol):
    """What the chart needs of an operation: whether it changes anything outside sopbot."""

    @property
    def writes(self) -> bool: ...


class Operations(Protocol):
    """What the chart needs of the catalogue, passed in so the procedure layer imports none."""

    def get(self, name: str, /) -> Effect | None: ...


def to_mermaid(procedure: Procedure, catalogue: Operations) -> str:
    """The procedure as a Mermaid ``flowchart TD``; the catalogue (built-in and team
    connectors alike) tells reads from writes, for action steps and for the calls a wait
    makes (an operation it does not know is drawn as a write, the careful guess)."""
    steps = {step.id: step for step in reversed(procedure.steps)}
    edges = flow_edges(procedure)
    node_ids = _node_ids(edges, steps)
    nodes = [("start", _trigger_label(procedure), "start")]
    for step in procedure.steps:
        if step.when:
            nodes.append((f"g_{step.id}", f"{_clip(step.when)}?", "decision"))
        nodes.append((f"s_{step.id}", *_step_label_and_class(step, procedure, catalogue)))
    nodes += [
        (node_ids[key], *_terminal_label_and_class(key))
        for key in node_ids
        if key != START and key not in steps
    ]
    lines = [_node(*node) for node in nodes]
    for edge in edges:
        if edge.kind == "skip":
            lines.append(f'g_{edge.source} -->|"yes"| s_{edge.source}')
        lines.append(_edge(edge, node_ids, steps))
    used = {css_class for _, _, css_class in nodes}
    lines += [f"classDef {name} {style}" for name, style in CLASS_STYLES.items() if name in used]
    return "flowchart TD\n" + "".join(f"    {line}\n" for line in lines)


def _node_ids(edges: list[FlowEdge], steps: Mapping[str, StepBase]) -> dict[str, str]:
    """A Mermaid id per key: ``s_`` + step id (never a Mermaid keyword such as ``end``),
    ``t_`` + terminal, ``esc_N`` per escalation target list, ``unknown_`` + a missing step."""
    ids = {START: "start"} | {key: f"s_{key}" for key in steps}
    escalations = 0
    for edge in edges:
        key = edge.target
        if key in ids:
            continue
        if key.startswith(ESCALATED):
            escalations += 1
            ids[key] = f"esc_{escalations}"
        elif key.startswith("@"):
            ids[key] = "t_" + key.removeprefix("@")
        else:
            ids[key] = f"unknown_{key}"
    return ids


def _terminal_label_and_class(key: str) -> tuple[str, str]:
    if key == COMPLETED:
        return "completed", "completed"
    if key == STOPPED:
        return "stopped", "failed"
    if key == REJECTED:
        return "rejected", "cancelled"
    if key.startswith(ESCALATED):
        targets = key.removeprefix(ESCALATED).replace(",", ", ") or "? (no escalation target)"
        return f"escalate to {targets}", "escalation"
    return f"unknown step '{key}'", "missing"


def _edge(edge: FlowEdge, node_ids: dict[str, str], steps: Mapping[str, StepBase]) -> str:
    if edge.kind == "skip":
        source, label = f"g_{edge.source}", "no"
    else:
        source, label = node_ids[edge.source], _clip(edge.label or "")
    target_step = steps.get(edge.target)
    target = f"g_{edge.target}" if target_step and target_step.when else node_ids[edge.target]
    arrow = "-.->" if edge.kind == "outcome" else "-->"
    text = f'|"{_escape(label)}"| ' if label else " "
    return f"{source} {arrow}{text}{target}"


def _step_label_and_class(
    step: StepBase, procedure: Procedure, catalogue: Operations
) -> tuple[str, str]:
    name = step.title or step.id.replace("_", " ")
    if isinstance(step, ActionStep):
        operation = catalogue.get(step.action)
        writes = operation is None or operation.writes
        return f"{name}<br/>{step.action}", "write" if writes else "read"
    if isinstance(step, SetStep):
        return f"{name}<br/>set {', '.join(step.set)}", "compute"
    if isinstance(step, DecideStep):
        return name, "decision"
    if isinstance(step, PrepareStep):
        return f"{name}<br/>prepare: reads {', '.join(step.prepare.reads) or 'nothing'}", "read"
    if isinstance(step, ApprovalStep):
        return f"{name}<br/>approval: {', '.join(step.approval.approvers)}", "approval"
    if isinstance(step, TaskStep):
        return f"{name}<br/>task: {step.task.assignee}", "task"
    if isinstance(step, DraftStep):
        return f"{name}<br/>draft: a model, or {step.draft.assignee}", "task"
    if isinstance(step, ChooseStep):
        return f"{name}<br/>{step.choose.assignee} picks", "decision"
    if isinstance(step, JudgeStep):
        return f"{name}<br/>a model judges, or {step.judge.assignee} picks", "decision"
    if isinstance(step, WaitStep):
        wait = step.wait
        calls = [f"<br/>{_effect(wait.refresh.action, catalogue)}"] if wait.refresh else []
        if wait.while_waiting:
            calls.append(f"<br/>while false: {_effect(wait.while_waiting.action, catalogue)}")
        return f"{name}<br/>wait {describe_wait(wait, '<br/>')}{''.join(calls)}", "wait"
    if isinstance(step, EscalateStep):
        to = ", ".join(escalation_targets(step.escalate.to, procedure)) or "?"
        more = ", continue" if step.escalate.continue_ else ""
        return f"{name}<br/>escalate to {to}{more}", "escalation"
    assert isinstance(step, EndStep)
    return f"{name}<br/>end: {step.end}", step.end


def _effect(action: str, catalogue: Operations) -> str:
    """``reads crm.get_claim`` or ``writes email.send``, as the operation declares it; an
    operation the catalogue does not know is drawn as a write, the careful guess."""
    operation = catalogue.get(action)
    return f"{'writes' if operation is None or operation.writes else 'reads'} {action}"


def _trigger_label(procedure: Procedure) -> str:
    trigger = procedure.trigger
    parts = [f"/sop run {trigger.command}"] if trigger.command else []
    parts += [f"{event.source} {event.type}" for event in trigger.events]
    if trigger.schedule:
        parts.append(f"cron {trigger.schedule.cron}")
    if not parts:
        parts.append("intent")
    return "start<br/>" + "<br/>".join(parts)


def _node(node_id: str, label: str, css_class: str) -> str:
    opening, closing = _SHAPES[css_class]
    return f'{node_id}{opening}"{_escape(label)}"{closing}:::{css_class}'


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LABEL_LIMIT else text[: _LABEL_LIMIT - 1] + "…"


def _escape(text: str) -> str:
    """Make text safe inside a quoted Mermaid label; ``<br/>`` stays a line break."""
    text = _ENTITY_LIKE.sub("#35;", text)
    text = text.replace('"', "#quot;").replace("|", "#124;")
    text = text.replace("<", "#lt;").replace(">", "#gt;")
    return text.replace("#lt;br/#gt;", "<br/>")
