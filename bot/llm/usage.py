"""What one model request cost and how it ended, and where that record goes.

Prompts may hold customer text, so a record keeps sizes and token counts, never text.
The caller passes the recorder: an ``AuditRecorder`` for a run's step, or one without a run
(routing free text, compiling a procedure).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from bot.clock.time import Clock
from storage import audit
from storage.database import Database

ACTOR = "sopbot"


class Outcome(enum.StrEnum):
    """How one request ended."""

    ANSWERED = "answered"
    TOOL_CALLS = "tool_calls"
    INVALID = "invalid"
    """Answered, but not in the shape asked for (broken JSON, a schema violation)."""
    REFUSED = "refused"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Usage:
    """One chat-completion request, retries included."""

    feature: str
    model: str
    outcome: Outcome
    latency_ms: float
    attempts: int
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    messages: int = 0
    prompt_chars: int = 0
    answer_chars: int = 0
    error: str | None = None
    """The error's kind (``RateLimitError``, ``ValidationError``), never its text."""

    def detail(self) -> dict[str, Any]:
        """The audit row's detail: everything but what the row has columns for."""
        fields = asdict(self)
        for column in ("feature", "outcome", "latency_ms"):
            del fields[column]
        return {name: value for name, value in fields.items() if value is not None}


Recorder = Callable[[Usage], None]
"""Called once per request, whatever its outcome."""


class AuditRecorder:
    """Appends each request's use to the audit log as ``llm.<feature>``, in a transaction
    of its own (a model call is slow; no run's transaction waits on it)."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        run_id: str | None = None,
        step_id: str | None = None,
        actor: str = ACTOR,
    ) -> None:
        self._database = database
        self._clock = clock
        self._run_id = run_id
        self._step_id = step_id
        self._actor = actor

    def __call__(self, usage: Usage) -> None:
        with self._database.session() as session:
            audit.append(
                session,
                at=self._clock.now(),
                actor=self._actor,
                action=f"llm.{usage.feature}",
                outcome=str(usage.outcome),
                run_id=self._run_id,
                step_id=self._step_id,
                detail=usage.detail(),
                duration_ms=usage.latency_ms,
            )
