"""The last word on unknown operations: a step whose action the catalogue does not know
becomes a task for a person, in code, whatever the model answered. An operation nobody
declared is never left in a compiled SOP as if sopbot could perform it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

from bot.procedure.diagnostics import Diagnostic

UNKNOWN_ACTION = "SOP201"
_STEP_ACTION = re.compile(r"steps\[(\d+)\]\.action")
_KEPT = ("id", "title", "when", "next", "save_as")
DUE = "1d"


def unknown_steps(findings: Iterable[Diagnostic]) -> list[int]:
    """The indexes of the steps whose action is unknown."""
    return sorted(
        {
            int(match.group(1))
            for finding in findings
            if finding.code == UNKNOWN_ACTION
            and (match := _STEP_ACTION.fullmatch(finding.location))
        }
    )


def as_human_tasks(data: dict[str, Any], findings: list[Diagnostic]) -> tuple[str, list[str]]:
    """The SOP (as YAML) with every unknown action step made a task for the owner and the
    unknown names taken out of permissions and guardrails; and the ids of those steps."""
    unknown = {
        name
        for finding in findings
        if finding.code == UNKNOWN_ACTION and (name := _quoted(finding.message)) is not None
    }
    steps = data["steps"]
    assignee = data.get("owner") or "starter"
    rewritten = []
    for index in unknown_steps(findings):
        step = steps[index]
        steps[index] = _task(step, assignee, _later_fields(data, step.get("save_as")))
        rewritten.append(str(step.get("id")))
    _forget(data, unknown)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), rewritten


def _task(step: dict[str, Any], assignee: str, fields: list[str]) -> dict[str, Any]:
    """The step as a task: what the procedure asked for, done by hand and reported back."""
    action = step["action"]
    arguments = step.get("with") or {}
    what = step.get("title") or f"do what '{action}' would do"
    given = "".join(f"\n- {name}: {value}" for name, value in arguments.items())
    task: dict[str, Any] = {
        "assignee": assignee,
        "instructions": (
            f"{what}. sopbot has no operation '{action}', so this is yours to do by hand"
            + (f", with:{given}" if given else ".")
        ),
    }
    if fields:
        task["fields"] = {name: {"type": "string"} for name in fields}
    task["due"] = DUE
    task["on_timeout"] = {"then": "escalate", "reason": f"Nobody did '{what}' within {DUE}"}
    kept = {key: step[key] for key in _KEPT if key in step and key != "save_as"}
    return {**kept, "task": task, **({"save_as": step["save_as"]} if "save_as" in step else {})}


def _later_fields(data: dict[str, Any], saved: str | None) -> list[str]:
    """The fields later steps read from what the step saved (``name.field``), for the
    person to report back."""
    if not saved:
        return []
    text = yaml.safe_dump(data["steps"], sort_keys=False)
    return sorted(set(re.findall(rf"\b{re.escape(saved)}\.([A-Za-z_]\w*)", text)))


def _forget(data: dict[str, Any], unknown: set[str]) -> None:
    """Take the unknown operations out of the lists and limits that name them."""
    permissions = data.get("permissions") or {}
    for key in ("allow", "never"):
        if isinstance(permissions.get(key), list):
            permissions[key] = [name for name in permissions[key] if name not in unknown]
    if isinstance(permissions.get("limits"), dict):
        for name in unknown:
            permissions["limits"].pop(name, None)
    for disclosure in (data.get("guardrails") or {}).get("required_disclosures") or []:
        if isinstance(disclosure, dict) and isinstance(disclosure.get("applies_to"), list):
            disclosure["applies_to"] = [n for n in disclosure["applies_to"] if n not in unknown]


def _quoted(message: str) -> str | None:
    """The operation named in an SOP201 message: ``unknown action 'x.y' …``."""
    match = re.match(r"unknown action '([^']+)'", message)
    return match.group(1) if match else None
