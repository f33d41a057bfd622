"""Plain-text answers to commands, written once for Slack and the console alike.

People appear as Slack mentions (``<@U03SAM>``): Slack shows them as names, and the console
replaces them with ``@Sam``.
"""

from __future__ import annotations

import datetime as dt

from bot.app.views import OpenItem, ProcedureEntry, ProcedureList, RunDetail, RunSummary
from bot.engine.modes import CurrentMode
from bot.identity import mention, mentions
from bot.procedure.model import Procedure


def procedure_list(listed: ProcedureList) -> str:
    """Every procedure with its mode and how it starts; broken files are named."""
    lines = ["Procedures you can run:"]
    for procedure in listed.procedures:
        how = f"/sop run {procedure.command}" if procedure.command else _trigger_words(procedure)
        lines.append(f"  {procedure.id:<26} {procedure.title}  ({procedure.mode}; {how})")
    if not listed.procedures:
        lines.append("  none yet: add a file to sops/ (see docs/writing-sops.md)")
    if listed.broken_files:
        lines.append(
            f"Skipped {len(listed.broken_files)} broken file(s): "
            f"{', '.join(listed.broken_files)}. Run `sopbot validate` for details."
        )
    return "\n".join(lines)


def _trigger_words(procedure: ProcedureEntry) -> str:
    if procedure.schedule:
        return f"runs on schedule {procedure.schedule}"
    if procedure.events:
        return "starts on " + ", ".join(procedure.events)
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


_MODE_NOTES = {
    "shadow": "shadow mode: writes are recorded as what it would do, nothing is changed",
    "assist": "assist mode: each write waits for a one-click confirmation",
    "autonomous": "autonomous mode",
}


def run_started(run: RunSummary, title: str) -> str:
    """The starter's answer: which run, what the mode means, and how to follow it."""
    mode = _MODE_NOTES.get(run.mode, f"{run.mode} mode")
    return f"Started {title} as run {run.id} ({mode}). Follow it with /sop status {run.id}."


def mode_now(procedure: Procedure, current: CurrentMode) -> str:
    """A procedure's mode, where it comes from, and how its owners change it."""
    note = mode_note(current) or "as its file says"
    return (
        f"{procedure.id} runs in {_MODE_NOTES[current.mode]} ({note}).\n"
        f"Its owner {mentions([procedure.owner])} changes it for new runs with "
        f"/sop mode {procedure.id} MODE [reason] (MODE: shadow, assist or autonomous)."
    )


def mode_note(current: CurrentMode) -> str | None:
    """Who set the mode with ``/sop mode``, when and why; None while the file's stands."""
    if current.set_by is None or current.set_at is None:
        return None
    why = f": {current.reason}" if current.reason else ""
    return (
        f"set by {mention(current.set_by)} on {current.set_at:%Y-%m-%d %H:%M} UTC with "
        f"/sop mode{why}; its file says {current.file_mode}"
    )


def run_status(detail: RunDetail, now: dt.datetime) -> str:
    """Where a run stands, what it waits for, why it ended, and every step it took."""
    run = detail.run
    lines = [
        f"Run {run.id} · {run.sop_id} · {run.status} ({run.mode})",
        f"  started {_ago(run.created_at, now)} by {_who(run.started_by)}",
    ]
    if run.finished_at is not None:
        lines.append(f"  finished {_ago(run.finished_at, now)}")
    elif detail.cursor:
        lines.append(f"  at step: {detail.cursor}")
    for item in detail.waiting_for:
        lines.append(
            f"  waiting for {item.kind} {item.id} from {_deciders(item)}"
            f" (due {_ago(item.due_at, now)})"
        )
    if detail.reason:
        lines.append(f"  {'result' if run.status == 'completed' else 'reason'}: {detail.reason}")
    if detail.result:
        shown = ", ".join(f"{name}={value}" for name, value in sorted(detail.result.items()))
        lines.append(f"  result values: {shown}")
    if detail.steps:
        lines.append("  steps:")
        for number, step in enumerate(detail.steps, start=1):
            owner = f"SLA {step.step_id}" if step.sla_link else step.step_id
            label = owner + (f" ({step.operation})" if step.operation else "")
            lines.append(
                f"    {number:>3}. {label:<44} {_STEP_STATUS.get(step.status, step.status)}"
                + (f": {step.error}" if step.error else "")
            )
    return "\n".join(lines)


_STEP_STATUS = {
    "would_do": "would do (simulated: nothing was changed)",
    "would_read": "would read (simulated: it reads what a simulated write returned)",
}
"""Shadow mode's calls, said so that nobody takes a simulated result for a real one."""


def history(runs: list[RunSummary], now: dt.datetime) -> str:
    """Recent runs, newest first."""
    if not runs:
        return "No runs yet."
    lines = ["Recent runs:"]
    lines.extend(
        f"  {run.id}  {run.sop_id:<26} {run.status:<17} {_ago(run.created_at, now)}" for run in runs
    )
    return "\n".join(lines)


def pending(items: list[OpenItem], now: dt.datetime) -> str:
    """Open approvals and tasks, whose they are, and how to answer them."""
    if not items:
        return "Nothing is waiting for a decision."
    lines = ["Waiting for people:"]
    for item in items:
        lines.append(
            f"  {item.id}  {item.kind:<8} run {item.run_id}  {_headline(item.summary)}"
            f"  · {_deciders(item)} · due {_ago(item.due_at, now)}"
        )
    lines.append(
        "Answer with /sop approve ID, /sop reject ID reason, or /sop complete ID key=value …"
    )
    return "\n".join(lines)


def _deciders(item: OpenItem) -> str:
    """Who may decide, each named once (a procedure's owner may also have started the run)."""
    return mentions(list(dict.fromkeys(item.deciders)))


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
