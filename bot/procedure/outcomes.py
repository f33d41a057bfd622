"""What happens when a step fails, times out or is rejected.

Written either as a word (``escalate``, ``skip``, ``stop``, ``goto:step_id``) or as an
object with retries and an escalation target.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import Field, GetJsonSchemaHandler, WithJsonSchema, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from bot.procedure.types import Duration, DynamicTarget, SopModel, StepId, Template

OutcomeAction = Literal["escalate", "skip", "stop", "goto"]
OUTCOME_WORD_PATTERN = r"^(escalate|skip|stop|goto:\s*[a-z][a-z0-9_]*)$"


class Retry(SopModel):
    """Retry a failing step with exponential backoff before its outcome applies."""

    attempts: int = Field(ge=1, le=20, description="how many more tries after the first")
    backoff: Duration = Field(
        default=timedelta(seconds=10), description="wait before the first retry"
    )
    factor: float = Field(default=2.0, ge=1.0, le=10.0, description="backoff multiplier per retry")
    max_backoff: Duration = Field(
        default=timedelta(hours=1), description="the longest wait between tries"
    )


class Outcome(SopModel):
    """The rule applied once a step has failed (after retries), timed out or been rejected."""

    then: Annotated[
        OutcomeAction,
        WithJsonSchema({"type": "string", "pattern": OUTCOME_WORD_PATTERN}),
    ] = Field(
        description="escalate to a person, skip the step, stop the run, or goto "
        "(goto:STEP names the step here, or put it in 'goto')"
    )
    goto: StepId | None = Field(
        default=None, description="the step to continue at, with then: goto"
    )
    to: list[DynamicTarget] = Field(
        default_factory=list,
        description="escalation targets; empty means the procedure's default escalation",
    )
    reason: Template | None = Field(default=None, description="why, shown in the handoff")

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Editors must accept the word form (``escalate``, ``goto:step``) as well."""
        return {
            "anyOf": [{"type": "string", "pattern": OUTCOME_WORD_PATTERN}, handler(core_schema)]
        }

    @model_validator(mode="before")
    @classmethod
    def _from_word(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _word(value)
        if isinstance(value, dict) and isinstance(value.get("then"), str):
            return _long_form(value)
        return value

    @model_validator(mode="after")
    def _goto_needs_target(self) -> Outcome:
        if self.then == "goto" and not self.goto:
            raise ValueError(
                "'then: goto' needs the step to go to: write 'then: goto:STEP' "
                "or put the step id in 'goto: STEP' beside 'then'"
            )
        if self.then != "goto" and self.goto:
            raise ValueError(f"'goto' only applies with 'then: goto', not 'then: {self.then}'")
        return self


def _word(value: str) -> dict[str, Any]:
    """The short form: ``escalate``, ``skip``, ``stop`` or ``goto:STEP``."""
    if value.startswith("goto:"):
        return {"then": "goto", "goto": value.removeprefix("goto:").strip()}
    return {"then": value}


def _long_form(value: dict[str, Any]) -> dict[str, Any]:
    """The object form, whose ``then`` may be written like the short form (``then: goto:STEP``)."""
    word = _word(value["then"])
    if "goto" not in word:
        return value
    named = value.get("goto")
    if named is not None and named != word["goto"]:
        raise ValueError(
            f"'then: {value['then']}' and 'goto: {named}' name different steps; keep one of them"
        )
    return {**value, **word}


class FailureRule(Outcome):
    """Retries with backoff, then an outcome: the answer to the happy-path pitfall."""

    retry: Retry | None = None
