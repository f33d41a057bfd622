"""The compile loop: ask the model for an SOP, validate it, send the findings back for at
most ``rounds`` repairs, then turn any step with an unknown operation into a human task."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.catalogue.registry import Catalogue
from bot.compile.human_tasks import UNKNOWN_ACTION, as_human_tasks
from bot.compile.prompt import (
    CompiledAnswer,
    findings_message,
    instructions,
    procedure_message,
)
from bot.llm.messages import Message
from bot.llm.models import Model
from bot.llm.usage import Recorder
from bot.procedure.diagnostics import Diagnostic, Severity
from bot.procedure.loader import LoadedSop
from bot.validation.validator import validate_text

DRAFT = "<compiled>"
"""The file name findings carry while the draft exists only in memory."""


@dataclass(frozen=True)
class Compiled:
    """A compiled SOP: its text, its validation, and how it got there."""

    text: str
    loaded: LoadedSop
    repairs: int
    """The repair rounds used."""
    human_tasks: tuple[str, ...]
    """Steps that are tasks for a person: the model's own, and those rewritten in code."""
    notes: str

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.loaded.diagnostics if d.severity is Severity.ERROR]


def compile_procedure(
    model: Model,
    name: str,
    text: str,
    *,
    catalogue: Catalogue,
    rounds: int,
    record: Recorder,
    today: dt.date | None = None,
) -> Compiled:
    """Compile the written procedure ``text`` (from the file ``name``); ``ModelError`` when
    the model cannot answer."""
    conversation: list[Message] = [instructions(catalogue), procedure_message(name, text)]
    repairs = 0
    while True:
        answer = model.answer(conversation, CompiledAnswer, record=record)
        loaded = validate_text(answer.sop_yaml, DRAFT, catalogue=catalogue, today=today)
        if not _has_errors(loaded) or repairs == rounds:
            break
        repairs += 1
        conversation += [
            {"role": "assistant", "content": answer.model_dump_json()},
            findings_message(loaded.diagnostics),
        ]
    sop_text, rewritten = answer.sop_yaml, list[str]()
    if isinstance(loaded.data, dict) and any(d.code == UNKNOWN_ACTION for d in loaded.diagnostics):
        sop_text, rewritten = as_human_tasks(loaded.data, loaded.diagnostics)
        loaded = validate_text(sop_text, DRAFT, catalogue=catalogue, today=today)
    tasks = tuple(dict.fromkeys([*answer.human_tasks, *rewritten]))
    return Compiled(sop_text, loaded, repairs, tasks, answer.notes)


def _has_errors(loaded: LoadedSop) -> bool:
    return any(d.severity is Severity.ERROR for d in loaded.diagnostics)
