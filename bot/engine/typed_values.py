"""Giving saved values their types back.

A run's state is stored as JSON, so dates come back as text. Expressions such as
``today > kickoff.kickoff_date`` need real dates: each value is re-typed from what
produced it (an input's declared type, an operation's result model, a task's fields).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from pydantic_core import to_jsonable_python

from bot.catalogue.operation import Result
from bot.catalogue.registry import Catalogue
from bot.procedure.inputs import InputSpec
from bot.procedure.model import Procedure
from bot.procedure.steps import ActionCall, ActionStep, TaskStep, WaitStep

Retype = Callable[[Any], Any]


def as_json(value: Any) -> Any:
    """A value as JSON-able data, for storing in the run's state."""
    return to_jsonable_python(value)


def typed_input(value: Any, spec: InputSpec) -> Any:
    """Dates and times as objects; everything else as stored."""
    if not isinstance(value, str):
        return value
    try:
        if spec.type == "date":
            return dt.date.fromisoformat(value)
        if spec.type == "datetime":
            return dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return value


def typed_inputs(procedure: Procedure, inputs: dict[str, Any]) -> dict[str, Any]:
    """The run's inputs with their declared types."""
    return {
        name: typed_input(value, procedure.inputs[name]) if name in procedure.inputs else value
        for name, value in inputs.items()
    }


def retypers(procedure: Procedure, catalogue: Catalogue) -> dict[str, Retype]:
    """For each saved name, how to give its value back its type."""
    found: dict[str, Retype] = {}
    for step in procedure.steps:
        calls: list[ActionCall] = []
        if isinstance(step, ActionStep):
            calls.append(step)
        if isinstance(step, WaitStep) and step.wait.refresh is not None:
            calls.append(step.wait.refresh)
        for call in calls:
            operation = catalogue.get(call.action)
            if call.save_as and operation is not None:
                found[call.save_as] = _result_retype(operation.result)
        if isinstance(step, TaskStep) and step.save_as:
            found[step.save_as] = _fields_retype(step.task.fields)
    return found


def _result_retype(model: type[Result]) -> Retype:
    def retype(value: Any) -> Any:
        try:
            return model.model_validate(value).model_dump()
        except ValidationError:
            return value  # a shadow placeholder or an older shape: keep what was stored

    return retype


def _fields_retype(fields: dict[str, InputSpec]) -> Retype:
    def retype(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        return {
            name: typed_input(item, fields[name]) if name in fields else item
            for name, item in value.items()
        }

    return retype
