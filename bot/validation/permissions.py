"""Rules about what a procedure may do: its allowlist, denylist, argument limits and text
guardrails. The connector boundary enforces all of these on every call at run time; the
validator asks that same check (``bot.guardrails.check``) about every call's literal
arguments, so a run is not refused halfway for something visible in the file."""

from __future__ import annotations

from typing import Any

from bot.catalogue.operation import Operation
from bot.guardrails.check import Violation, check_call
from bot.guardrails.text import contains_phrase
from bot.procedure.source_map import Path
from bot.validation.context import SopContext, did_you_mean
from bot.validation.operations import facts
from bot.validation.sites import CallSite, has_template

_CODES = {
    "never": "SOP408",
    "not_permitted": "SOP407",
    "limit": "SOP410",
    "forbidden_phrase": "SOP415",
    "missing_disclosure": "SOP416",
}


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
    """SOP407, SOP408, SOP410, SOP415, SOP416: the boundary would let every call through,
    as far as its literal arguments tell."""
    for site in context.sites.calls:
        operation = context.catalogue.get(site.call.action)
        if operation is None:
            continue  # SOP201
        verdict = check_call(context.procedure, operation, {})
        if verdict is not None:  # not permitted at all: its arguments do not matter
            _report(context, verdict, (*site.path, "action"))
            continue
        _check_literal_arguments(context, site, operation)


def _check_literal_arguments(context: SopContext, site: CallSite, operation: Operation) -> None:
    literal = {name: value for name, value in site.call.with_.items() if not has_template(value)}
    limited = context.procedure.permissions.limits.get(operation.name, {})
    for name, value in literal.items():
        if name in limited or name in operation.text_args:
            verdict = check_call(context.procedure, operation, {name: value})
            if verdict is not None and verdict.rule in ("limit", "forbidden_phrase"):
                _report(context, verdict, (*site.path, "with", name), value)
    texts = [name for name in operation.text_args if name in site.call.with_]
    if texts and all(name in literal for name in texts):
        verdict = check_call(context.procedure, operation, {name: literal[name] for name in texts})
        if verdict is not None and verdict.rule == "missing_disclosure":
            _report(context, verdict, (*site.path, "with", texts[0]))


def _report(context: SopContext, verdict: Violation, path: Path, value: Any = None) -> None:
    phrases = context.procedure.guardrails.forbidden_phrases
    needle = None
    if verdict.rule == "forbidden_phrase" and isinstance(value, str):
        needle = next((phrase for phrase in phrases if contains_phrase(value, phrase)), None)
    context.report(_CODES[verdict.rule], path, verdict.message, needle=needle)


CHECKS = (check_limits, check_calls)
