"""Turning what a person typed (or a trigger carried) into typed, checked inputs."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from bot.engine.errors import InvalidInputs, MissingInput, MissingInputs
from bot.finite import non_finite_problem
from bot.identity import channel_in, user_id_in
from bot.procedure import expressions
from bot.procedure.inputs import InputSpec
from bot.procedure.model import Procedure

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://\S+$")
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def resolve_inputs(
    procedure: Procedure, given: Mapping[str, Any], trigger: Mapping[str, Any], *, interactive: bool
) -> dict[str, Any]:
    """Every declared input, typed and checked.

    Values come from ``given`` first, then the input's ``from`` template over the trigger,
    then the default. Missing values are asked for when ``interactive`` and the input says
    ``ask``; otherwise they fail the start. A NaN or infinity anywhere in what was given or
    in the trigger (JSON parsers read ``NaN`` literals) refuses the start: it is no value
    anyone meant, and the run's records could not hold it.
    """
    carried = non_finite_problem(trigger, "trigger") or non_finite_problem(given, "")
    if carried is not None:
        raise InvalidInputs(carried)
    unknown = sorted(set(given) - set(procedure.inputs))
    if unknown:
        expected = ", ".join(procedure.inputs) or "none"
        raise InvalidInputs(
            f"{procedure.id} has no input {', '.join(unknown)} (its inputs: {expected})"
        )
    values: dict[str, Any] = {}
    missing: list[MissingInput] = []
    problems: list[str] = []
    for name, spec in procedure.inputs.items():
        raw = _raw_value(name, spec, given, trigger)
        if raw is None or raw == "":
            if not spec.required:
                values[name] = None
            elif spec.if_missing == "ask" and interactive:
                missing.append(MissingInput(name, spec))
            else:
                problems.append(f"{name} is required")
            continue
        try:
            values[name] = coerce(raw, spec)
        except ValueError as error:
            problems.append(f"{name}: {error}")
    if problems:
        raise InvalidInputs("; ".join(problems))
    if missing:
        raise MissingInputs(procedure.id, missing)
    return values


def _raw_value(
    name: str, spec: InputSpec, given: Mapping[str, Any], trigger: Mapping[str, Any]
) -> Any:
    """What was given, else what the trigger carries, else the default. A default is
    checked like any given value, so a default that is no number is caught too."""
    raw = given.get(name)
    if raw is None and spec.from_:
        raw = _from_trigger(spec.from_, trigger)
    if (raw is None or raw == "") and spec.default is not None:
        return spec.default
    return raw


def _from_trigger(template: str, trigger: Mapping[str, Any]) -> Any:
    try:
        return expressions.render(template, {"trigger": trigger, "event": trigger})
    except expressions.ExpressionError:
        return None


def coerce(raw: Any, spec: InputSpec) -> Any:
    """One value in its declared type, or ValueError saying what was expected."""
    value = _typed(raw, spec)
    if spec.choices and str(value) not in spec.choices:
        raise ValueError(f"'{raw}' is not one of {', '.join(spec.choices)}")
    if spec.pattern is not None and not re.fullmatch(spec.pattern, str(value)):
        raise ValueError(f"'{raw}' does not have the expected form")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if spec.minimum is not None and value < spec.minimum:
            raise ValueError(f"{value:g} is below the minimum {spec.minimum:g}")
        if spec.maximum is not None and value > spec.maximum:
            raise ValueError(f"{value:g} is above the maximum {spec.maximum:g}")
    return value


def _typed(raw: Any, spec: InputSpec) -> Any:
    text = raw.strip() if isinstance(raw, str) else raw
    kind = spec.type
    if kind == "list":
        return _list(text, spec.items or InputSpec())
    if kind == "object":
        return _object(text, spec.fields)
    if kind in ("string", "text", "choice"):
        return str(text)
    if kind == "integer":
        if isinstance(text, bool) or (isinstance(text, float) and not text.is_integer()):
            raise ValueError(f"'{raw}' is not a whole number")
        try:
            return int(str(text).replace(",", "").replace("_", ""))
        except ValueError:
            raise ValueError(f"'{raw}' is not a whole number") from None
    if kind == "number":
        try:
            number = float(str(text).replace(",", "").lstrip("$€£"))
        except ValueError:
            raise ValueError(f"'{raw}' is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"'{raw}' is not a finite number")
        return number
    if kind == "boolean":
        if isinstance(text, bool):
            return text
        if str(text).lower() in _TRUE:
            return True
        if str(text).lower() in _FALSE:
            return False
        raise ValueError(f"'{raw}' is not yes or no")
    if kind == "date":
        return _date(text, raw)
    if kind == "datetime":
        return _datetime(text, raw)
    return _identifier(kind, str(text), raw)


def _list(text: Any, items: InputSpec) -> list[Any]:
    """A JSON list, one item a line (a form's text box), or ``a, b, c``; each item typed."""
    if isinstance(text, str):
        text = _json(text, list, "a list") if text.startswith("[") else _split(text)
    if not isinstance(text, list):
        raise ValueError(f"'{text}' is not a list; give a, b, c or a JSON list")
    typed = []
    for position, item in enumerate(text):
        try:
            typed.append(coerce(item, items))
        except ValueError as error:
            raise ValueError(f"item {position + 1}: {error}") from None
    return typed


def _split(text: str) -> list[str]:
    separator = "\n" if "\n" in text else ","
    return [item.strip() for item in text.split(separator) if item.strip()]


def _object(text: Any, fields: Mapping[str, InputSpec]) -> dict[str, Any]:
    """A JSON object (or a mapping from an event) whose fields are typed as declared."""
    if isinstance(text, str):
        text = _json(text, dict, "an object")
    if not isinstance(text, dict):
        raise ValueError(f'\'{text}\' is not an object; give it as JSON, such as {{"name": "…"}}')
    unknown = sorted(set(text) - set(fields))
    if unknown:
        raise ValueError(f"no field {', '.join(unknown)} (its fields: {', '.join(fields)})")
    typed: dict[str, Any] = {}
    for name, spec in fields.items():
        value = text.get(name)
        if value is None or value == "":
            if spec.required and spec.default is None:
                raise ValueError(f"field {name} is required")
            typed[name] = None if spec.default is None else coerce(spec.default, spec)
            continue
        try:
            typed[name] = coerce(value, spec)
        except ValueError as error:
            raise ValueError(f"field {name}: {error}") from None
    return typed


def _json(text: str, kind: type, what: str) -> Any:
    try:
        value = json.loads(text, parse_constant=_not_finite)
    except json.JSONDecodeError as error:
        raise ValueError(f"'{text}' is not {what} in JSON ({error.msg})") from None
    if not isinstance(value, kind):
        raise ValueError(f"'{text}' is not {what}")
    return value


def _not_finite(word: str) -> Any:
    raise ValueError(f"{word} is not a finite number")


def _date(text: Any, raw: Any) -> str:
    if isinstance(text, dt.date):
        return text.isoformat()
    try:
        return dt.date.fromisoformat(str(text)).isoformat()
    except ValueError:
        raise ValueError(f"'{raw}' is not a date (YYYY-MM-DD)") from None


def _datetime(text: Any, raw: Any) -> str:
    try:
        moment = text if isinstance(text, dt.datetime) else dt.datetime.fromisoformat(str(text))
    except ValueError:
        raise ValueError(
            f"'{raw}' is not a date and time (YYYY-MM-DDTHH:MM, with a zone)"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(f"'{raw}' has no time zone; add one, e.g. +00:00")
    return moment.isoformat()


def _identifier(kind: str, text: str, raw: Any) -> str:
    if kind == "email":
        if not _EMAIL.match(text):
            raise ValueError(f"'{raw}' is not an email address")
        return text
    if kind == "url":
        if not _URL.match(text):
            raise ValueError(f"'{raw}' is not an http(s) URL")
        return text
    if kind == "user":
        user = user_id_in(text)
        if user is None:
            raise ValueError(f"'{raw}' is not a Slack user (mention them, or give their ID)")
        return user
    channel = channel_in(text)
    if channel is None:
        raise ValueError(f"'{raw}' is not a channel (#name or an ID)")
    return channel
