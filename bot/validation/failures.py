"""SOP401, SOP413, SOP414: every write says what happens when it fails, and retries and
idempotency keys match what the operation promises (no side effect twice)."""

from __future__ import annotations

from bot.procedure.source_map import Path
from bot.procedure.steps import ActionStep, WaitStep
from bot.validation.context import SopContext


def check_failure_rules(context: SopContext) -> None:
    """SOP401, SOP413, SOP414: writes say what happens when they fail, and retries and
    idempotency keys match what the operation promises."""
    for index, step in enumerate(context.procedure.steps):
        path: Path = ("steps", index)
        if isinstance(step, WaitStep):
            writer = step.wait.while_waiting
            operation = context.catalogue.get(writer.action) if writer else None
            if operation is not None and operation.writes and step.on_failure is None:
                context.report(
                    "SOP401",
                    (*path, "wait", "while_waiting", "action"),
                    f"'{operation.name}' changes another system, and this wait has no "
                    "on_failure rule for it",
                )
            continue
        if not isinstance(step, ActionStep):
            continue
        operation = context.catalogue.get(step.action)
        if operation is None:
            continue
        if operation.writes and step.on_failure is None:
            context.report(
                "SOP401",
                (*path, "action"),
                f"'{operation.name}' changes another system, and this step has no on_failure "
                "rule: say what happens when it fails",
            )
        keyed = step.idempotency_key is not None and operation.accepts_idempotency_key
        retry = step.on_failure.retry if step.on_failure else None
        if retry is not None and operation.writes and not operation.idempotent and not keyed:
            context.report(
                "SOP413",
                (*path, "on_failure", "retry"),
                f"'{operation.name}' is retried, but repeating it is not safe: a timed-out "
                "try may have happened, so a retry could do it twice",
                "add an idempotency_key"
                if operation.accepts_idempotency_key
                else "drop the retry, or escalate instead",
            )
        if step.idempotency_key is not None and not operation.accepts_idempotency_key:
            context.report(
                "SOP414",
                (*path, "idempotency_key"),
                f"'{operation.name}' does not honour an idempotency key; this one is ignored",
            )


CHECKS = (check_failure_rules,)
