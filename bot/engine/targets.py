"""Turning an SOP's targets (roles, starter, templates) into concrete Slack IDs for a run."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.identity import is_address
from bot.procedure import expressions
from bot.procedure.model import Procedure
from bot.procedure.types import TARGET_PATTERN

_TARGET = re.compile(TARGET_PATTERN)


class TargetError(ValueError):
    """A target that does not resolve to anyone (an empty role, a template giving a name)."""


def resolve_targets(
    targets: Iterable[str], procedure: Procedure, started_by: str | None, context: dict[str, Any]
) -> list[str]:
    """Concrete user, group and channel IDs (or #names), in order, without repeats."""
    resolved: list[str] = []
    for target in targets:
        for concrete in _resolve_one(target, procedure, started_by, context):
            if concrete not in resolved:
                resolved.append(concrete)
    return resolved


def _resolve_one(
    target: str, procedure: Procedure, started_by: str | None, context: dict[str, Any]
) -> list[str]:
    if expressions.is_template(target):
        value = str(expressions.render(target, context)).strip()
        if not _TARGET.match(value) or value.startswith("{{"):
            raise TargetError(
                f"'{target}' gave '{value}', which is not a Slack ID, #channel or role"
            )
        return _resolve_one(value, procedure, started_by, context)
    if target == "starter":
        if not started_by:
            raise TargetError(
                "'starter' was used, but nobody started this run (it came from a trigger)"
            )
        return [started_by]
    if target.startswith("role:"):
        members = procedure.roles.get(target.removeprefix("role:"), [])
        if not members:
            raise TargetError(f"{target} has no members")
        return [
            concrete
            for member in members
            for concrete in _resolve_one(member, procedure, started_by, context)
        ]
    if not is_address(target):
        raise TargetError(f"'{target}' is not a Slack ID or #channel")
    return [target]
