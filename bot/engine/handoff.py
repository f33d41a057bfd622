"""The handoff package: everything the next person needs so they never ask again."""

from __future__ import annotations

from typing import Any

from bot.chat.messages import Card
from bot.engine.typed_values import as_json
from bot.engine.work import RunWork
from bot.secrets import shown_inputs


def handoff_package(
    work: RunWork, reason: str, context: dict[str, str] | None = None, cause: str | None = None
) -> dict[str, Any]:
    """Inputs, facts gathered, steps done, and why it escalated: the SOP's ``reason`` and,
    when that is the SOP's own words, the ``cause`` it stands for (the tool's error, the
    rejection), so the person taking over sees what actually went wrong. Secret values in
    either are masked where the package is stored (``storage.redaction``)."""
    return {
        "sop": {
            "id": work.procedure.id,
            "title": work.procedure.title,
            "version": work.procedure.version,
        },
        "run": work.run.id,
        "started_by": work.run.started_by,
        "why": reason,
        "cause": cause,
        "inputs": shown_inputs(work.run.inputs),
        "facts": as_json(work.values),
        "steps_done": [entry.model_dump() for entry in work.meta.trail],
        "stopped_at": work.cursor,
        "context": context or {},
    }


def handoff_card(package: dict[str, Any]) -> Card:
    """The package as a card for the people taking over."""
    fields: list[tuple[str, str]] = [("Why", package["why"])]
    if package.get("cause"):
        fields.append(("What happened", package["cause"]))
    fields.extend((label, value) for label, value in package["context"].items())
    fields.extend((f"Input {name}", _short(value)) for name, value in package["inputs"].items())
    fields.extend((f"Fact {name}", _short(value)) for name, value in package["facts"].items())
    done = (
        ", ".join(f"{entry['step']} ({entry['outcome']})" for entry in package["steps_done"])
        or "none"
    )
    fields.append(("Steps done", done))
    if package["stopped_at"]:
        fields.append(("Stopped at", package["stopped_at"]))
    return Card(
        title=f"Escalated: {package['sop']['title']} · run {package['run']}",
        summary=package["why"],
        fields=tuple(fields),
        footer=f"{package['sop']['id']} v{package['sop']['version']}",
    )


def _short(value: Any, limit: int = 300) -> str:
    """A fact as a person reads it: ``total: 640.0 · currency: USD`` rather than a dict."""
    if isinstance(value, dict):
        text = " · ".join(
            f"{key}: {_short(item, 60)}"
            for key, item in value.items()
            if item not in (None, "", [])
        )
    elif isinstance(value, list):
        text = ", ".join(_short(item, 60) for item in value)
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
