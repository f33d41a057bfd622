"""Plain-text answers to commands, written once for Slack and the console alike.

People appear as Slack mentions (``<@U03SAM>``): Slack shows them as names, and the console
replaces them with ``@Sam``.
"""

from __future__ import annotations

import datetime as dt

from bot.engine.engine import RunView
from bot.engine.errors import MissingInput
from bot.identity import mention, mentions
from bot.library import Library
from bot.procedure.model import Procedure
from storage.models import Approval, Run


def procedure_list(library: Library) -> str:
    """Every served procedure with its mode and how it starts; broken files are named."""
    lines = ["Procedures you can run:"]
    for served in sorted(library.procedures.values(), key=lambda s: s.procedure.id):
        procedure = served.procedure
        how = (
            f"/sop run {procedure.trigger.command}"
            if procedure.trigger.command
            else _trigger_words(procedure)
        )
        lines.append(f"  {procedure.id:<26} {procedure.title}  ({procedure.mode}; {how})")
    if not library.procedures:
        lines.append("  none yet: add a file to sops/ (see docs/writing-sops.md)")
    broken = sorted(
        {diagnostic.file for diagnostic in library.diagnostics if diagnostic.severity == "error"}
    )
    if broken:
        lines.append(
            f"Skipped {len(broken)} broken file(s): {', '.join(broken)}. "
            "Run `sopbot validate` for details."
        )
    return "\n".join(lines)


def _trigger_words(procedure: Procedure) -> str:
    trigger = procedure.trigger
    if trigger.schedule:
        return f"runs on schedule {trigger.schedule.cron} {trigger.schedule.timezone}"
    if trigger.events:
        return "starts on " + ", ".join(f"{event.source} {event.type}" for event in trigger.events)
    return "started by intent phrases"


def input_usage(procedure: Procedure) -> str:
    """``/sop run refund order_id=<text> reason=<damaged|late>`` for error messages."""
    parts = []
    for name, spec in procedure.inputs.items():
        shape = "|".join(spec.choices) if spec.choices else spec.type
        parts.append(
            f"{name}=<{shape}>" if spec.required and spec.default is None else f"[{name}=<{shape}>]"
        )
    word = procedure.trigger.command or procedure.id
    return f"/sop run {word} " + " ".join(parts)


def question(missing: MissingInput) -> str:
    """The question that asks a person for one input or task field."""
    spec = missing.spec
    prompt = spec.prompt or spec.description or missing.name.replace("_", " ")
    if spec.choices:
        prompt += f" ({' / '.join(spec.choices)})"
    if not spec.required:
        prompt += " (optional)"
    return prompt


_MODE_NOTES = {
    "shadow": "shadow mode: writes are recorded as what it would do, nothing is changed",
    "assist": "assist mode: each write waits for a one-click confirmation",
    "autonomous": "autonomous mode",
}


def run_started(run: Run, procedure: Procedure) -> str:
    """The starter's answer: which run, what the mode means, and how to follow it."""
    mode = _MODE_NOTES.get(run.mode, f"{run.mode} mode")
    return (
        f"Started {procedure.title} as run {run.id} ({mode}). Follow it with /sop status {run.id}."
    )


def run_status(view: RunView, now: dt.datetime) -> str:
    """Where a run stands, what it waits for, why it ended, and every step it took."""
    run = view.run
    lines = [
        f"Run {run.id} · {run.sop_id} · {run.status} ({run.mode})",
        f"  started {_ago(run.created_at, now)} by {_who(run.started_by)}",
    ]
    if run.finished_at is not None:
        lines.append(f"  finished {_ago(run.finished_at, now)}")
    elif run.cursor:
        lines.append(f"  at step: {run.cursor}")
    for pending in view.pending:
        lines.append(
            f"  waiting for {pending.kind} {pending.id} from {_deciders(pending)}"
            f" (due {_ago(pending.due_at, now)})"
        )
    if run.reason:
        lines.append(f"  {'result' if run.status == 'completed' else 'reason'}: {run.reason}")
    if view.steps:
        lines.append("  steps:")
        for number, record in enumerate(view.steps, start=1):
            owner = f"SLA {record.step_id}" if record.owner_kind == "sla" else record.step_id
            label = owner + (f" ({record.operation})" if record.operation else "")
            lines.append(
                f"    {number:>3}. {label:<44} {record.status}"
                + (f": {record.error}" if record.error else "")
            )
    return "\n".join(lines)


def history(runs: list[Run], now: dt.datetime) -> str:
    """Recent runs, newest first."""
    if not runs:
        return "No runs yet."
    lines = ["Recent runs:"]
    lines.extend(
        f"  {run.id}  {run.sop_id:<26} {run.status:<17} {_ago(run.created_at, now)}" for run in runs
    )
    return "\n".join(lines)


def pending(approvals: list[Approval], now: dt.datetime) -> str:
    """Open approvals and tasks, whose they are, and how to answer them."""
    if not approvals:
        return "Nothing is waiting for a decision."
    lines = ["Waiting for people:"]
    for approval in approvals:
        lines.append(
            f"  {approval.id}  {approval.kind:<8} run {approval.run_id}  "
            f"{_headline(approval.package['summary'])}"
            f"  · {_deciders(approval)} · due {_ago(approval.due_at, now)}"
        )
    lines.append(
        "Answer with /sop approve ID, /sop reject ID reason, or /sop complete ID key=value …"
    )
    return "\n".join(lines)


def _deciders(approval: Approval) -> str:
    """Who may decide, each named once (a procedure's owner may also have started the run)."""
    return mentions(list(dict.fromkeys(approval.deciders)))


def _headline(text: str, limit: int = 80) -> str:
    """The first line of a summary, short enough for one line of a list."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _who(user: str | None) -> str:
    return mention(user) if user else "a trigger"


def _ago(moment: dt.datetime, now: dt.datetime) -> str:
    delta = now - moment
    future = delta.total_seconds() < 0
    seconds = abs(int(delta.total_seconds()))
    if seconds < 60:
        text = f"{seconds}s"
    elif seconds < 3600:
        text = f"{seconds // 60}m"
    elif seconds < 86400:
        text = f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    else:
        text = f"{seconds // 86400}d{(seconds % 86400) // 3600}h"
    return f"in {text}" if future else f"{text} ago"
