"""A plain-text summary of a procedure, for reviewers who should not have to read YAML.

``sopbot show`` prints it: who owns the procedure, how it starts, what it asks for, what
each step does, who approves what and when, the hard limits, the SLA clocks and when the
procedure is due for review.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence

from bot.procedure.graph import (
    START,
    FlowEdge,
    describe_wait,
    escalation_targets,
    flow_edges,
    short_duration,
)
from bot.procedure.inputs import InputSpec
from bot.procedure.model import Mode, Procedure
from bot.procedure.outcomes import FailureRule, Outcome
from bot.procedure.policies import ArgumentLimit, SlaClock
from bot.procedure.steps import (
    ActionStep,
    Approval,
    ApprovalStep,
    CatchUp,
    Choice,
    ChooseStep,
    DecideStep,
    DraftStep,
    EndStep,
    EscalateStep,
    JudgeStep,
    Prepare,
    PrepareStep,
    SetStep,
    StepBase,
    Task,
    TaskStep,
    WaitStep,
    step_kind,
)

MODE_MEANINGS: dict[Mode, str] = {
    "shadow": "writes are recorded as 'would do', not executed",
    "assist": "every write waits for a one-click approval",
    "autonomous": "runs alone; a digest reports what it did",
}
WIDTH = 100


def describe_targets(targets: Sequence[str], procedure: Procedure) -> str:
    """``role:finance`` becomes ``role:finance (S01FINANCE)`` so readers see the real people."""
    described = []
    for target in targets:
        members = procedure.roles.get(target.removeprefix("role:"), [])
        is_role = target.startswith("role:") and members
        described.append(f"{target} ({', '.join(members)})" if is_role else target)
    return ", ".join(described)


def describe_escalation(targets: Sequence[str], procedure: Procedure) -> str:
    """Who an escalation reaches, falling back to the procedure's default escalation."""
    resolved = escalation_targets(targets, procedure)
    return describe_targets(resolved, procedure) if resolved else "nobody (no escalation set)"


def describe_outcome(outcome: Outcome, procedure: Procedure) -> str:
    """``escalate to U03SAM``, ``skip the step``, ``stop the run``, ``go to refund``."""
    if outcome.then == "escalate":
        return f"escalate to {describe_escalation(outcome.to, procedure)}"
    if outcome.then == "skip":
        return "skip the step"
    if outcome.then == "stop":
        return "stop the run"
    return f"go to {outcome.goto}"


def describe_failure(rule: FailureRule | None, procedure: Procedure) -> str:
    """``3 retries from 10s, then escalate to …``; a missing rule is said plainly."""
    if rule is None:
        return "no failure rule"
    then = describe_outcome(rule, procedure)
    if rule.retry is None:
        return then
    attempts = rule.retry.attempts
    retries = f"{attempts} {'retry' if attempts == 1 else 'retries'}"
    return f"{retries} from {short_duration(rule.retry.backoff)}, then {then}"


def describe_deadline(
    limit: dt.timedelta | None, outcome: Outcome | None, procedure: Procedure
) -> str:
    """``3d, then escalate to …``: how long a pause may last and what happens after."""
    if limit is None:
        return "no time limit"
    then = describe_outcome(outcome, procedure) if outcome else "no rule for it"
    return f"{short_duration(limit)}, then {then}"


def _action_meaning(step: ActionStep, procedure: Procedure) -> str:
    saved = f" → {step.save_as}" if step.save_as else ""
    return f"{step.action}{saved}; on failure: {describe_failure(step.on_failure, procedure)}"


_WHOLE_EXPRESSION = re.compile(r"\s*\{\{((?:(?!\{\{|\}\}).)*)\}\}\s*", re.DOTALL)


def formula(value: object) -> str:
    """What a value computes, as the SOP writes it: the expression of one whole
    ``{{ }}``, a text (templates included) in quotes, or a literal as in YAML."""
    if isinstance(value, str):
        whole = _WHOLE_EXPRESSION.fullmatch(value)
        return " ".join(whole.group(1).split()) if whole else json.dumps(value)
    return json.dumps(value, default=str)


def _assignments(values: Mapping[str, object]) -> str:
    """``risk = order.total > 500; label = "high"``: each name with what it is set to."""
    return "; ".join(f"{name} = {formula(value)}" for name, value in values.items())


def _set_meaning(step: SetStep) -> str:
    return "compute " + _assignments(step.set)


def _decide_meaning(step: DecideStep) -> str:
    cases = [f"if {case.when} → {case.goto}" for case in step.decide]
    cases.append(f"otherwise → {step.otherwise or 'the next step'}")
    return "; ".join(cases)


def _approval_meaning(step: ApprovalStep, procedure: Procedure) -> str:
    approval = step.approval
    deadline = describe_deadline(approval.timeout, approval.on_timeout, procedure)
    return (
        f"{describe_targets(approval.approvers, procedure)} approve "
        f'"{approval.summary}"; timeout {deadline}'
    )


def _task_meaning(task: Task, procedure: Procedure) -> str:
    fields = f", reports {', '.join(task.fields)}" if task.fields else ""
    deadline = describe_deadline(task.due, task.on_timeout, procedure)
    reminders = f"; {_reminders(task.remind_every, task.catch_up)}" if task.remind_every else ""
    return (
        f"{describe_targets([task.assignee], procedure)} does it{fields}; due {deadline}{reminders}"
    )


def _prepare_meaning(prepare: Prepare) -> str:
    reads = (
        f"reading {', '.join(prepare.reads)} (at most {prepare.max_calls})"
        if prepare.reads
        else "from the facts"
    )
    return (
        f"a model prepares a package {reads} within {short_duration(prepare.budget)}, "
        f"recommending one of {', '.join(prepare.options)}; without a model, the facts alone"
    )


def _choose_meaning(choice: Choice, procedure: Procedure) -> str:
    options = "; ".join(f'"{option.label}" → {option.goto}' for option in choice.options)
    default = choice.default_option()
    after = (
        f'"{default.label}" ({default.goto})'
        if default is not None
        else f"escalate to {describe_escalation([], procedure)}"
    )
    deadline = (
        f"{short_duration(choice.timeout)}, then {after}" if choice.timeout else "no time limit"
    )
    return (
        f'{describe_targets([choice.assignee], procedure)} picks "{choice.question}": '
        f"{options}; timeout {deadline}"
    )


def _wait_meaning(step: WaitStep, procedure: Procedure) -> str:
    wait = step.wait
    text = "wait " + describe_wait(wait)
    if wait.until is not None:
        text += f"; timeout {describe_deadline(wait.timeout, wait.on_timeout, procedure)}"
    if wait.while_waiting is not None:
        text += (
            f"; while false, {wait.while_waiting.action} at each check "
            f"({_catching_up(wait.catch_up)})"
        )
    if step.on_failure is not None:
        text += f"; if a check fails: {describe_failure(step.on_failure, procedure)}"
    return text


def _escalate_meaning(step: EscalateStep, procedure: Procedure) -> str:
    escalation = step.escalate
    after = "and continue" if escalation.continue_ else "and end the run"
    to = describe_escalation(escalation.to, procedure)
    result = f"; result {_assignments(escalation.result)}" if escalation.result else ""
    return f"hand over to {to} {after}: {escalation.reason}{result}"


def _end_meaning(step: EndStep) -> str:
    result = f", result {_assignments(step.result)}" if step.result else ""
    return f"end {step.end}{result}" + (f": {step.message}" if step.message else "")


def _meaning(step: StepBase, procedure: Procedure) -> str:
    match step:
        case ActionStep():
            return _action_meaning(step, procedure)
        case SetStep():
            return _set_meaning(step)
        case DecideStep():
            return _decide_meaning(step)
        case PrepareStep():
            return _prepare_meaning(step.prepare)
        case ApprovalStep():
            return _approval_meaning(step, procedure)
        case TaskStep():
            return _task_meaning(step.task, procedure)
        case DraftStep():
            sent = f" for {step.draft.for_}" if step.draft.for_ else ""
            return (
                f"a model drafts the text{sent} within the guardrails (one redraft), else "
                + _task_meaning(step.draft.as_task(), procedure)
            )
        case ChooseStep():
            return _choose_meaning(step.choose, procedure)
        case JudgeStep():
            judge = step.judge
            return (
                f"a model picks with confidence {judge.threshold:g} or more, else "
                + _choose_meaning(judge, procedure)
            )
        case WaitStep():
            return _wait_meaning(step, procedure)
        case EscalateStep():
            return _escalate_meaning(step, procedure)
        case EndStep():
            return _end_meaning(step)
    raise TypeError(f"not a step: {step!r}")


def describe_step(step: StepBase, procedure: Procedure) -> str:
    """One line that says what the step does, with its guard and jump when it has them."""
    title = ""
    if step.title:  # "Read the ticket: …", but "Are there notes? …"
        title = step.title + (" " if step.title.endswith(("?", ":")) else ": ")
    guard = f"only if {step.when}: " if step.when else ""
    jump = f"; then → {step.next}" if step.next else ""
    return title + guard + _meaning(step, procedure) + jump


def reach_conditions(procedure: Procedure, step_id: str) -> list[str] | None:
    """Why a run reaches a step: the decisions, guards and outcome rules on the way there.

    None means some path from the start reaches it unconditionally.
    """
    edges = flow_edges(procedure)
    plain = {(edge.source, edge.target) for edge in edges if edge.kind == "next"}
    incoming: dict[str, list[FlowEdge]] = {}
    for edge in edges:
        if edge.kind == "outcome" and (edge.source, edge.target) in plain:
            continue  # 'fails: skip' leads where success leads; it adds no condition
        incoming.setdefault(edge.target, []).append(edge)

    def walk(target: str, seen: frozenset[str]) -> list[str] | None:
        found: list[str] = []
        for edge in incoming.get(target, []):
            if edge.source == START:
                return None
            if edge.kind == "otherwise":
                found.append(f"no case of {edge.source} holds")
            elif edge.kind != "next":  # a decision case, a false guard or an outcome rule
                found.append(f"{edge.label} (at {edge.source})")
            elif edge.source not in seen:
                earlier = walk(edge.source, seen | {edge.source})
                if earlier is None:
                    return None
                found.extend(earlier)
        return list(dict.fromkeys(found))

    return walk(step_id, frozenset({step_id}))


def _trigger_lines(procedure: Procedure) -> list[str]:
    trigger = procedure.trigger
    lines = []
    if trigger.command:
        lines.append(f"/sop run {trigger.command}")
    for event in trigger.events:
        where = f" where {event.filter}" if event.filter else ""
        lines.append(f"event {event.source} {event.type}{where}")
    if trigger.schedule:
        lines.append(f"schedule {trigger.schedule.cron} ({trigger.schedule.timezone})")
    if trigger.intents:
        lines.append("intents: " + ", ".join(f'"{intent}"' for intent in trigger.intents))
    return lines


def _literal(value: object) -> str:
    """A limit value as it is written in YAML: ``false``, not ``False``."""
    return value if isinstance(value, str) else json.dumps(value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _input_facts(spec: InputSpec) -> str:
    facts = [spec.type, "required" if spec.required else "optional"]
    if spec.choices:
        facts.append("one of " + ", ".join(spec.choices))
    if spec.pattern:
        facts.append(f"matches {spec.pattern}")
    if spec.minimum is not None:
        facts.append(f">= {_number(spec.minimum)}")
    if spec.maximum is not None:
        facts.append(f"<= {_number(spec.maximum)}")
    if spec.from_:
        facts.append(f"from {spec.from_}")
    if spec.default is not None:
        facts.append(f"default {spec.default}")
    if spec.if_missing == "fail":
        facts.append("if missing: the run does not start")
    elif spec.if_missing == "default":
        facts.append("if missing: use the default")
    elif spec.required:
        facts.append(f'if missing: ask "{spec.prompt}"' if spec.prompt else "if missing: ask")
    text = ", ".join(facts)
    return text + (f" ({spec.description})" if spec.description else "")


def describe_limit(operation: str, argument: str, limit: ArgumentLimit) -> list[str]:
    """``crm.refund.amount <= 2000`` and friends, one line per rule."""
    name = f"{operation}.{argument}"
    rules = []
    if limit.max is not None:
        rules.append(f"{name} <= {_number(limit.max)}")
    if limit.min is not None:
        rules.append(f"{name} >= {_number(limit.min)}")
    if limit.max_length is not None:
        rules.append(f"{name} at most {limit.max_length} characters")
    if limit.pattern is not None:
        rules.append(f"{name} matches {limit.pattern}")
    if limit.one_of:
        rules.append(f"{name} one of {', '.join(_literal(value) for value in limit.one_of)}")
    return rules


def _approval_timeout(approval: Approval, procedure: Procedure) -> str:
    text = describe_deadline(approval.timeout, approval.on_timeout, procedure)
    if approval.remind_every:
        text += f"; {_reminders(approval.remind_every, approval.catch_up)}"
    return text


def _reminders(every: dt.timedelta, catch_up: CatchUp) -> str:
    return f"reminders every {short_duration(every)} ({_catching_up(catch_up)})"


def _catching_up(catch_up: CatchUp) -> str:
    """What becomes of reminders that fell due while sopbot was not running."""
    if catch_up == "latest":
        return "of those missed while down, only the latest is sent"
    return "those missed while down are all sent, marked late"


def _approval_lines(step: ApprovalStep, procedure: Procedure) -> list[str]:
    approval = step.approval
    starter = "the starter may approve" if approval.allow_starter else "not the starter"
    conditions = reach_conditions(procedure, step.id)
    when = "; or ".join(conditions) if conditions else "on every run that gets this far"
    if step.when:
        when = f"{step.when}, and {when}"
    rejected = (
        describe_outcome(approval.on_reject, procedure)
        if approval.on_reject
        else "the run ends rejected"
    )
    return [
        f"{step.id}: {step.title or approval.summary}",
        *_hanging(
            "  who:      ",
            f"{describe_targets(approval.approvers, procedure)}; "
            f"{approval.required} needed, {starter}",
        ),
        *_hanging("  when:     ", when),
        f"  covers:   {', '.join(approval.covers) or 'the next action'}",
        *_hanging("  timeout:  ", _approval_timeout(approval, procedure)),
        f"  rejected: {rejected}",
    ]


def _permission_lines(procedure: Procedure) -> list[str]:
    permissions = procedure.permissions
    lines = []
    if permissions.allow:
        lines += _hanging("allowed: ", ", ".join(permissions.allow))
    if permissions.never:
        lines += _hanging("never:   ", ", ".join(permissions.never))
    lines += [
        "limit:   " + rule
        for operation, arguments in permissions.limits.items()
        for argument, limit in arguments.items()
        for rule in describe_limit(operation, argument, limit)
    ]
    guardrails = procedure.guardrails
    if guardrails.forbidden_phrases:
        quoted = ", ".join(f'"{phrase}"' for phrase in guardrails.forbidden_phrases)
        lines += _hanging("never say: ", quoted)
    for disclosure in guardrails.required_disclosures:
        where = ", ".join(disclosure.applies_to) or "every outgoing text"
        lines += _hanging(f"must say in {where}: ", f'"{disclosure.text}"')
    return lines


def _sla_lines(clock: SlaClock, procedure: Procedure) -> list[str]:
    applies = f" when {clock.applies_when}" if clock.applies_when else ""
    warnings = ", ".join(short_duration(before) for before in clock.warn_before)
    warn = f"; warns {warnings} before" if warnings else ""
    deadline = short_duration(clock.deadline)
    lines = _hanging(f"{clock.id}: ", f"{deadline}{applies}, stops at {clock.stops_at}{warn}")
    for link in clock.escalations:
        at = "at breach" if link.after == "breach" else f"after {short_duration(link.after)}"
        unless = f" unless {link.unless}" if link.unless else ""
        runs = ", ".join(action.action for action in link.actions)
        actions = f"; runs {runs}" if runs else ""
        lines += _hanging("  ", f"{at}{unless} → {describe_targets(link.to, procedure)}{actions}")
    return lines


def _hanging(head: str, text: str) -> list[str]:
    """Wrap ``text`` after ``head`` so continuation lines line up under its first word."""
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=head,
        subsequent_indent=" " * len(head),
        break_on_hyphens=False,
        break_long_words=False,
    )


def _section(title: str, lines: Iterable[str]) -> list[str]:
    body = list(lines)
    return ["", title, *(f"  {line}" for line in body)] if body else []


def summarize(
    procedure: Procedure, *, today: dt.date | None = None, mode_note: str | None = None
) -> str:
    """The whole summary: identity, trigger, inputs, steps, approvals, limits, SLA, review.

    ``mode_note`` says where the mode comes from when an owner set it over the file's."""
    today = today or dt.date.today()
    review = procedure.review
    overdue = " (OVERDUE)" if review.due < today else ""
    width = max(len(step.id) for step in procedure.steps)
    lines = [
        f"{procedure.title}  [{procedure.id}, version {procedure.version}]",
        *textwrap.wrap(procedure.description or "", WIDTH),
        "",
        f"owner:      {procedure.owner}",
        f"mode:       {procedure.mode} ({MODE_MEANINGS[procedure.mode]})",
        *([f"            {mode_note}"] if mode_note else []),
        f"review due: {review.due.isoformat()}{overdue} (every {short_duration(review.every)}, "
        f"last {review.last_reviewed.isoformat()})",
        f"escalation: {describe_escalation([], procedure)}",
        *_section("Trigger", _trigger_lines(procedure)),
        *_section(
            "Inputs",
            (
                line
                for name, spec in procedure.inputs.items()
                for line in _hanging(f"{name}: ", _input_facts(spec))
            ),
        ),
        *_section(
            "Roles", (f"{name}: {', '.join(people)}" for name, people in procedure.roles.items())
        ),
        *_section(
            "Steps",
            (
                line
                for number, step in enumerate(procedure.steps, start=1)
                for line in _hanging(
                    f"{number:>2}. {step.id:<{width}}  {step_kind(step) or '?':<8}  ",
                    describe_step(step, procedure),
                )
            ),
        ),
        *_section(
            "Approvals",
            (
                line
                for step in procedure.steps
                if isinstance(step, ApprovalStep)
                for line in _approval_lines(step, procedure)
            ),
        ),
        *_section("Permissions and guardrails", _permission_lines(procedure)),
        *_section(
            "SLA clocks", (line for clock in procedure.sla for line in _sla_lines(clock, procedure))
        ),
    ]
    return "\n".join(lines) + "\n"
