"""Rules that keep procedures maintainable: unique ids, valid patterns, and reviews that
actually happen (an SOP nobody revisits is a defect)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.procedure.inputs import InputSpec
from bot.procedure.source_map import Path
from bot.procedure.steps import TaskStep
from bot.validation.context import SopContext


def _report_duplicates(context: SopContext, entries: Iterable[tuple[str, Path]], what: str) -> None:
    """SOP501 at every repeat of an id, naming the line of its first use."""
    first: dict[str, Path] = {}
    for name, path in entries:
        if name in first:
            line, _ = context.loaded.source_map.locate(first[name])
            context.report("SOP501", path, f"{what} '{name}' is already used on line {line}")
        else:
            first[name] = path


def check_duplicate_ids(context: SopContext) -> None:
    """SOP501: step ids and SLA clock ids are unique within the procedure."""
    procedure = context.procedure
    _report_duplicates(
        context,
        ((step.id, ("steps", index, "id")) for index, step in enumerate(procedure.steps)),
        "step id",
    )
    _report_duplicates(
        context,
        ((clock.id, ("sla", index, "id")) for index, clock in enumerate(procedure.sla)),
        "SLA clock id",
    )


def _patterns(specs: dict[str, InputSpec], path: Path) -> Iterable[tuple[str, Path]]:
    for name, spec in specs.items():
        if spec.pattern is not None:
            yield spec.pattern, (*path, name, "pattern")


def check_patterns(context: SopContext) -> None:
    """SOP503: every pattern is a regular expression Python can compile."""
    procedure = context.procedure
    found = list(_patterns(procedure.inputs, ("inputs",)))
    for index, step in enumerate(procedure.steps):
        if isinstance(step, TaskStep):
            found.extend(_patterns(step.task.fields, ("steps", index, "task", "fields")))
    for operation, limits in procedure.permissions.limits.items():
        for argument, limit in limits.items():
            if limit.pattern is not None:
                found.append(
                    (limit.pattern, ("permissions", "limits", operation, argument, "pattern"))
                )
    for pattern, path in found:
        try:
            re.compile(pattern)
        except re.error as error:
            context.report("SOP503", path, f"not a valid regular expression: {error}")


def check_review(context: SopContext) -> None:
    """SOP502: the review is not overdue."""
    review = context.procedure.review
    if review.due < context.today:
        context.report(
            "SOP502",
            ("review", "last_reviewed"),
            f"the review was due on {review.due.isoformat()} (last reviewed "
            f"{review.last_reviewed.isoformat()}, every {context.loaded.data['review']['every']})",
        )


CHECKS = (check_duplicate_ids, check_patterns, check_review)
