"""Checking an ``expect`` against the facts, with a readable "expected / actual" for each
thing that differs.

Lists of steps, actions, escalations and alerts must match in full and in order; each of
``messages`` must have been sent, among others. Text matches when it appears in the actual
value, numbers match by value, and a mapping matches when the keys it names match.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from bot.scenarios.facts import Facts, Notice, ToolAction
from bot.scenarios.model import (
    ActionMatch,
    AlertMatch,
    EscalationMatch,
    Expectation,
    MessageMatch,
)
from bot.scenarios.results import Mismatch

NOTHING = "nothing"
Wanted = TypeVar("Wanted", ActionMatch, EscalationMatch, AlertMatch)
Actual = TypeVar("Actual", ToolAction, Notice)


def check(expect: Expectation, facts: Facts) -> list[Mismatch]:
    """Every part of ``expect`` that does not hold."""
    found: list[Mismatch] = []
    if expect.status is not None and expect.status != facts.status:
        found.append(Mismatch("status", expect.status, facts.status))
    if expect.pending is not None:
        found.extend(_pending(expect.pending, facts))
    if expect.reason is not None and not fits(expect.reason, facts.reason):
        found.append(Mismatch("reason", repr(expect.reason), repr(facts.reason)))
    if expect.steps is not None and expect.steps != facts.steps:
        found.append(Mismatch("steps", _listed(expect.steps), _listed(facts.steps)))
    if expect.actions is not None:
        found.extend(_all_of("actions", expect.actions, facts.actions, _action_fits, _call))
    if expect.would_do is not None:
        found.extend(_all_of("would_do", expect.would_do, facts.would_do, _action_fits, _call))
    if expect.escalations is not None:
        found.extend(
            _all_of("escalations", expect.escalations, facts.escalations, _notice_fits, _notice)
        )
    if expect.alerts is not None:
        found.extend(_all_of("alerts", expect.alerts, facts.alerts, _notice_fits, _notice))
    if expect.messages is not None:
        found.extend(_messages(expect.messages, facts))
    if expect.saved is not None and not fits(expect.saved, facts.saved):
        found.append(Mismatch("saved", _shown(expect.saved), _shown(facts.saved)))
    if expect.result is not None and not fits(expect.result, facts.result):
        found.append(Mismatch("result", _shown(expect.result), _shown(facts.result)))
    if expect.runs is not None and expect.runs != facts.runs:
        found.append(Mismatch("runs", str(expect.runs), str(facts.runs)))
    return found


def fits(expected: Any, actual: Any) -> bool:
    """Does ``actual`` satisfy ``expected`` (text inside, numbers by value, keys named)?"""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and fits(value, actual[key]) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(fits(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if expected is None or isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float):
        if isinstance(actual, int | float):
            return float(expected) == float(actual)
        return f"{expected:g}" == str(actual)
    text = expected.isoformat() if isinstance(expected, dt.date) else str(expected)
    return isinstance(actual, str) and text in actual


def _pending(expected: str, facts: Facts) -> list[Mismatch]:
    open_now = [f"{approval.kind} at {approval.step_id}" for approval in facts.pending]
    if expected == NOTHING:
        matched = not facts.pending
    else:
        matched = any(expected in (approval.kind, approval.step_id) for approval in facts.pending)
    if matched:
        return []
    return [Mismatch("pending", expected, ", ".join(open_now) or NOTHING)]


def _all_of(
    what: str,
    expected: Sequence[Wanted],
    actual: Sequence[Actual],
    matches: Callable[[Wanted, Actual], bool],
    show: Callable[[Actual], str],
) -> list[Mismatch]:
    if len(expected) == len(actual) and all(
        matches(e, a) for e, a in zip(expected, actual, strict=True)
    ):
        return []
    return [
        Mismatch(what, _listed([_wanted(item) for item in expected]), _listed(map(show, actual)))
    ]


def _messages(expected: Sequence[MessageMatch], facts: Facts) -> list[Mismatch]:
    unclaimed = list(facts.messages)
    for wanted in expected:
        found = next(
            (
                message
                for message in unclaimed
                if (wanted.to is None or message.to == wanted.to)
                and (wanted.text is None or fits(wanted.text, message.text))
            ),
            None,
        )
        if found is None:
            sent = [f"to {message.to}: {_short(message.text)}" for message in facts.messages]
            return [Mismatch("messages", _wanted(wanted), _listed(sent))]
        unclaimed.remove(found)
    return []


def _action_fits(expected: ActionMatch, actual: ToolAction) -> bool:
    return expected.operation == actual.operation and fits(expected.arguments, actual.arguments)


def _notice_fits(expected: EscalationMatch | AlertMatch, actual: Notice) -> bool:
    text = expected.reason if isinstance(expected, EscalationMatch) else expected.text
    return set(expected.to) <= actual.recipients and (text is None or fits(text, actual.text))


def _call(action: ToolAction) -> str:
    arguments = ", ".join(f"{name}={_short(value)}" for name, value in action.arguments.items())
    return f"{action.operation}({arguments})"


def _notice(notice: Notice) -> str:
    return f"to {', '.join(notice.to)}: {_short(notice.text)}"


def _wanted(item: ActionMatch | EscalationMatch | AlertMatch | MessageMatch) -> str:
    if isinstance(item, ActionMatch):
        if not item.arguments:
            return item.operation
        return f"{item.operation}({', '.join(f'{k}={v!r}' for k, v in item.arguments.items())})"
    shown = item.model_dump(exclude_defaults=True)
    return ", ".join(
        f"{key}: {', '.join(value) if isinstance(value, list) else value}"
        for key, value in shown.items()
    )


def _listed(items: Any) -> str:
    """One item per line (``- item``), or ``none``."""
    shown = list(items)
    return "\n".join(f"- {item}" for item in shown) if shown else "none"


def _shown(value: Any) -> str:
    return _short(value, 300)


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
