"""SOP403, SOP404, SOP406: every escalation reaches a person, none fires on every run,
and every SLA clock escalates when it runs out."""

from __future__ import annotations

from bot.procedure.source_map import Path
from bot.procedure.steps import EscalateStep
from bot.validation.context import SopContext
from bot.validation.graph import may_skip


def check_escalations(context: SopContext) -> None:
    """SOP403, SOP404: every escalation reaches someone, and none fires on every run."""
    has_default = context.procedure.escalation is not None
    if not has_default:
        for site in context.sites.outcomes:
            if site.outcome.then == "escalate" and not site.outcome.to:
                context.report(
                    "SOP403",
                    site.path,
                    f"{site.kind} escalates, but names no one and the procedure has no default "
                    "escalation",
                )
    always = context.graph.reachable(kinds=("next",))
    for index, step in enumerate(context.procedure.steps):
        if not isinstance(step, EscalateStep):
            continue
        path: Path = ("steps", index, "escalate")
        if not step.escalate.to and not has_default:
            context.report(
                "SOP403",
                path,
                "this step escalates, but names no one and the procedure has no default escalation",
            )
        if not may_skip(step) and index in always:
            context.report(
                "SOP404",
                path,
                f"step '{step.id}' escalates on every run: nothing but the normal path leads to it",
            )


def check_sla_clocks(context: SopContext) -> None:
    """SOP406: an SLA clock escalates when it runs out."""
    for index, clock in enumerate(context.procedure.sla):
        if not clock.escalations:
            context.report(
                "SOP406",
                ("sla", index),
                f"SLA clock '{clock.id}' has no escalations: a breach would go unnoticed",
            )


CHECKS = (check_escalations, check_sla_clocks)
