"""A run's audit trail as a readable timeline or as JSON for export."""

from __future__ import annotations

import json
from typing import Any

from storage.models import AuditEvent


def event_json(event: AuditEvent) -> dict[str, Any]:
    """One event as plain JSON (secrets were masked before it was stored)."""
    return {
        "at": event.at.isoformat(),
        "run_id": event.run_id,
        "step_id": event.step_id,
        "actor": event.actor,
        "action": event.action,
        "outcome": event.outcome,
        "duration_ms": event.duration_ms,
        "reason": event.reason,
        "detail": event.detail,
    }


def timeline_json(events: list[AuditEvent]) -> str:
    """The whole trail as a JSON document."""
    return json.dumps([event_json(event) for event in events], indent=2, default=str) + "\n"


def timeline_text(events: list[AuditEvent]) -> str:
    """One line per event: when, who, what, how it went, how long, why."""
    if not events:
        return "No audit events for this run.\n"
    lines = []
    for event in events:
        took = f" {event.duration_ms:.0f}ms" if event.duration_ms is not None else ""
        step = f" [{event.step_id}]" if event.step_id else ""
        why = f" — {event.reason}" if event.reason else ""
        lines.append(
            f"{event.at:%Y-%m-%d %H:%M:%S} {event.actor:<10} {event.action:<20} {event.outcome:<10}"
            f"{took}{step}{why}"
        )
    return "\n".join(lines) + "\n"
