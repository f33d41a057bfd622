"""The one check every call passes before a connector sees it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from bot.catalogue.operation import Operation
from bot.finite import non_finite_problem
from bot.guardrails.text import contains_phrase
from bot.procedure.model import Procedure
from bot.procedure.policies import ArgumentLimit

# Operations whose text reaches people outside the team get disclosures by default.
OUTGOING_MESSAGE_OPERATIONS = frozenset({"email.send", "slack.post", "slack.dm"})


@dataclass(frozen=True)
class Violation:
    """Why a call was stopped, in words for the handoff and the audit log."""

    rule: str
    message: str


def check_call(
    procedure: Procedure, operation: Operation, arguments: dict[str, Any]
) -> Violation | None:
    """The first rule the call breaks, or None when it may run."""
    return (
        _check_permitted(procedure, operation)
        or _check_finite(operation, arguments)
        or _check_limits(procedure, operation, arguments)
        or _check_text(procedure, operation, arguments)
    )


def _check_permitted(procedure: Procedure, operation: Operation) -> Violation | None:
    permissions = procedure.permissions
    if operation.name in permissions.never:
        return Violation("never", f"{operation.name} is never allowed in '{procedure.id}'")
    if operation.writes and operation.name not in permissions.allow:
        return Violation(
            "not_permitted", f"{operation.name} is not on the permitted list of '{procedure.id}'"
        )
    return None


def _check_finite(operation: Operation, arguments: dict[str, Any]) -> Violation | None:
    """NaN or infinity passes every comparison the wrong way, so no call carries one,
    whether or not the SOP set a limit on that argument."""
    problem = non_finite_problem(arguments, "")
    if problem is None:
        return None
    return Violation("not_finite", f"{operation.name}.{problem}")


def _check_limits(
    procedure: Procedure, operation: Operation, arguments: dict[str, Any]
) -> Violation | None:
    for argument, limit in procedure.permissions.limits.get(operation.name, {}).items():
        if argument not in arguments or arguments[argument] is None:
            continue
        problem = _limit_problem(arguments[argument], limit)
        if problem:
            return Violation("limit", f"{operation.name}.{argument} {problem}")
    return None


def _limit_problem(value: Any, limit: ArgumentLimit) -> str | None:
    """What is wrong with ``value`` under ``limit``. The comparisons are written so that a
    limit that is not a finite number refuses every value instead of letting all through."""
    if limit.max is not None or limit.min is not None:
        number = _as_number(value)
        if number is None:
            return f"is {value!r}, not a finite number, so its limit cannot be checked"
        if limit.max is not None and not number <= limit.max:
            return f"is {number:g}, above the limit of {limit.max:g}"
        if limit.min is not None and not number >= limit.min:
            return f"is {number:g}, below the limit of {limit.min:g}"
    text = value if isinstance(value, str) else str(value)
    if limit.max_length is not None and len(text) > limit.max_length:
        return f"is {len(text)} characters long, above the limit of {limit.max_length}"
    if limit.pattern is not None:
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not re.fullmatch(limit.pattern, str(item)):
                return f"value {item!r} does not match the permitted pattern"
    if limit.one_of and value not in limit.one_of:
        return f"is {value!r}, not one of the permitted values"
    return None


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _check_text(
    procedure: Procedure, operation: Operation, arguments: dict[str, Any]
) -> Violation | None:
    texts = [str(arguments[name]) for name in operation.text_args if arguments.get(name)]
    if not texts:
        return None
    return check_text(procedure, "\n".join(texts), operation.name)


def check_text(procedure: Procedure, text: str, operation: str | None) -> Violation | None:
    """The first text rule ``text`` breaks: a forbidden phrase, or a disclosure required of
    what goes out through ``operation`` (None: a text not yet bound to one)."""
    where = f"{operation} text" if operation else "the text"
    for phrase in procedure.guardrails.forbidden_phrases:
        if contains_phrase(text, phrase):
            return Violation(
                "forbidden_phrase", f"{where} contains the forbidden phrase '{phrase}'"
            )
    for disclosure in procedure.guardrails.required_disclosures:
        applies = disclosure.applies_to or OUTGOING_MESSAGE_OPERATIONS
        if operation in applies and not contains_phrase(text, disclosure.text):
            return Violation(
                "missing_disclosure",
                f"{where} lacks the required disclosure '{disclosure.text}'",
            )
    return None
