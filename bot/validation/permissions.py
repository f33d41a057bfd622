"""Rules about what a procedure may do: its allowlist, denylist, argument limits and the
text guardrails. The connector boundary enforces all of these at run time; the validator
says so before a run is refused halfway."""

from __future__ import annotations

import re
from typing import Any

from bot.procedure.policies import ArgumentLimit
from bot.validation.context import SopContext, did_you_mean
from bot.validation.operations import facts
from bot.validation.sites import has_template


def check_limits(context: SopContext) -> None:
    """SOP405: each limit names an argument of its operation."""
    for name, limits in context.procedure.permissions.limits.items():
        operation = context.catalogue.get(name)
        if operation is None:
            continue  # SOP201
        known = facts(operation).arguments
        for argument in limits:
            if argument not in known:
                context.report(
                    "SOP405",
                    ("permissions", "limits", name, argument),
                    f"{name} has no argument '{argument}'" + did_you_mean(argument, known),
                    f"{name} takes: " + ", ".join(known),
                    at_key=True,
                )


def check_calls(context: SopContext) -> None:
    """SOP407, SOP408, SOP410, SOP415: every call is permitted, and no literal argument
    already breaks a limit or a text guardrail."""
    permissions = context.procedure.permissions
    forbidden = context.procedure.guardrails.forbidden_phrases
    for site in context.sites.calls:
        name = site.call.action
        action_path = (*site.path, "action")
        if name in permissions.never:
            context.report("SOP408", action_path, f"'{name}' is listed in permissions.never")
        operation = context.catalogue.get(name)
        if operation is None:
            continue
        if operation.writes and name not in permissions.allow:
            context.report(
                "SOP407",
                action_path,
                f"'{name}' changes another system but is not in permissions.allow",
            )
        for argument, limit in permissions.limits.get(name, {}).items():
            value = site.call.with_.get(argument)
            if value is None or has_template(value):
                continue
            problem = limit_problem(limit, value)
            if problem:
                context.report(
                    "SOP410",
                    (*site.path, "with", argument),
                    f"{argument} {problem}, the limit of {name}.{argument} in permissions.limits",
                )
        for argument in operation.text_args:
            text = site.call.with_.get(argument)
            if not isinstance(text, str):
                continue
            for phrase in forbidden:
                if phrase.casefold() in text.casefold():
                    context.report(
                        "SOP415",
                        (*site.path, "with", argument),
                        f"the text contains the forbidden phrase '{phrase}'",
                        needle=phrase,
                    )


def limit_problem(limit: ArgumentLimit, value: Any) -> str | None:
    """How a literal value breaks a limit (``'2500 is above 2000'``), or None."""
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is not None and limit.max is not None and number > limit.max:
        return f"{number} is above {limit.max:g}"
    if number is not None and limit.min is not None and number < limit.min:
        return f"{number} is below {limit.min:g}"
    if (
        limit.max_length is not None
        and isinstance(value, str | list)
        and len(value) > limit.max_length
    ):
        return f"has length {len(value)}, above {limit.max_length}"
    if limit.pattern is not None and isinstance(value, str):
        try:
            if re.fullmatch(limit.pattern, value) is None:
                return f"'{value}' does not match {limit.pattern}"
        except re.error:
            return None
    if limit.one_of and value not in limit.one_of:
        return f"{value!r} is not one of {limit.one_of}"
    return None


CHECKS = (check_limits, check_calls)
