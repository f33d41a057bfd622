"""The questions the front door asks: inputs a start is missing, a task's answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.app.views import OpenItem
from bot.chat.messages import Question, QuestionField
from bot.engine.errors import MissingInput
from bot.procedure.inputs import InputSpec
from bot.procedure.model import Procedure


def for_inputs(
    procedure: Procedure,
    missing: Iterable[MissingInput],
    *,
    to: str,
    given: dict[str, Any],
    mode: str | None,
    thread: dict[str, Any] | None,
) -> Question:
    """Ask the starter for the inputs a start is missing; the answers start it again."""
    return Question(
        to=to,
        title=procedure.title,
        fields=tuple(field(item.name, item.spec) for item in missing),
        action="run",
        subject=procedure.id,
        carry={"given": given, "mode": mode},
        thread=thread,
    )


def for_task(task: OpenItem, *, to: str, thread: dict[str, Any] | None) -> Question:
    """Ask the assignee for a task's answers; the answers complete it."""
    return Question(
        to=to,
        title=task.summary.strip().splitlines()[0] if task.summary.strip() else task.id,
        fields=tuple(field(name, spec) for name, spec in task.fields),
        action="complete",
        subject=task.id,
        thread=thread,
    )


def field(name: str, spec: InputSpec) -> QuestionField:
    """One input as a question field, labelled by its prompt, else its description, else
    its name in words."""
    label = spec.prompt or spec.description or name.replace("_", " ")
    return QuestionField(
        name=name,
        label=label + _FORM_HINTS.get(spec.type, ""),
        choices=tuple(spec.choices),
        required=spec.required,
        kind=spec.type,
    )


_FORM_HINTS = {
    "list": " (one a line)",
    "object": " (as JSON: " + '{"field": "value", …})',
}
"""How a list or an object is typed in a form's text box, said beside its label."""
