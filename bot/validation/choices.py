"""SOP270, SOP271, SOP272 and SOP402 for ``choose`` and ``judge`` steps: a person is offered a real choice (two or
more options they can tell apart), a default that names one of them, and an end to the
wait. Option targets are checked with every other step reference (SOP301, ``flow``)."""

from __future__ import annotations

from bot.procedure.source_map import Path
from bot.procedure.steps import Choice, choice_of, step_kind
from bot.validation.context import SopContext, did_you_mean


def check_choices(context: SopContext) -> None:
    """SOP270, SOP271, SOP272, SOP402: each choice's options, default and timeout."""
    for index, step in enumerate(context.procedure.steps):
        choice = choice_of(step)
        if choice is not None:
            _check_choice(context, step.id, choice, ("steps", index, step_kind(step) or ""))


def _check_choice(context: SopContext, step_id: str, choice: Choice, path: Path) -> None:
    labels = [option.label for option in choice.options]
    if len(labels) < 2:
        context.report(
            "SOP270",
            (*path, "options"),
            f"'{step_id}' offers {len(labels)} option{'' if len(labels) == 1 else 's'}: "
            "a choice needs at least two",
        )
    seen: set[str] = set()
    for position, label in enumerate(labels):
        if label.casefold() in seen:
            context.report(
                "SOP272",
                (*path, "options", position, "label"),
                f"two options of '{step_id}' are labelled '{label}': "
                "the person cannot tell them apart",
            )
        seen.add(label.casefold())
    if choice.default is not None and choice.default not in labels:
        listed = ", ".join(f"'{label}'" for label in labels)
        context.report(
            "SOP271",
            (*path, "default"),
            f"the default '{choice.default}' is not one of the options' labels ({listed})"
            + did_you_mean(choice.default, labels),
        )
    if choice.timeout is None:
        default = "its default" if choice.default is not None else "an escalation"
        context.report(
            "SOP402",
            path,
            f"this choice has no timeout: the run could wait forever instead of taking {default}",
            "add timeout (such as 2d), and a default if one option is safe to take unasked",
        )


CHECKS = (check_choices,)
