"""Secret values, masked in every statement sopbot sends to its database.

The process registers each value it must never write (configured secrets, and secret run
inputs as runs are started or loaded); every string parameter of every statement is then
masked on its way to the driver, whoever built the statement. So no record (audit event,
journal error, run reason, handoff, queued chat message) depends on its caller remembering
to mask. JSON columns arrive here already serialized (SQLite) or wrapped for the driver
(psycopg), and both forms are handled. With nothing registered the hook costs one check.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, event

MASK = "••••"
MIN_LENGTH = 4
"""Shorter values are not masked: replacing every ``ab`` would garble records, and a
secret that short protects nothing."""

_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None


def register(values: Iterable[str]) -> None:
    """Mask these values from now on, in this whole process."""
    global _pattern
    fresh = {value for value in values if len(value) >= MIN_LENGTH} - _values
    if not fresh:
        return
    with _lock:
        _values.update(fresh)
        forms = {form for value in _values for form in _written_forms(value)}
        ordered = sorted(forms, key=len, reverse=True)  # the longest match wins
        _pattern = re.compile("|".join(re.escape(form) for form in ordered))


def _written_forms(value: str) -> set[str]:
    """The value as it appears in text, in JSON, and in JSON inside JSON."""
    escaped = json.dumps(value)[1:-1]
    return {
        value,
        escaped,
        json.dumps(value, ensure_ascii=False)[1:-1],
        json.dumps(escaped)[1:-1],
    }


def redact(text: str) -> str:
    """``text`` with every registered value replaced by ``MASK``."""
    pattern = _pattern
    return text if pattern is None else pattern.sub(MASK, text)


def is_active() -> bool:
    """True once any value is registered."""
    return _pattern is not None


def would_change(text: str) -> bool:
    """True when ``redact`` would alter ``text``."""
    pattern = _pattern
    return pattern is not None and pattern.search(text) is not None


def redact_data(value: Any) -> Any:
    """A copy of JSON-like data with every registered value masked, keys included."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_data(key): redact_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(item) for item in value]
    return value


def install(engine: Engine) -> None:
    """Mask registered values in every statement ``engine`` executes."""
    event.listen(engine, "before_cursor_execute", _masked_statement, retval=True)


def _masked_statement(
    _connection: Any,
    _cursor: Any,
    statement: str,
    parameters: Any,
    _context: Any,
    executemany: bool,
) -> tuple[str, Any]:
    if _pattern is None:
        return statement, parameters
    if executemany:
        return statement, [_masked_parameters(row) for row in parameters]
    return statement, _masked_parameters(parameters)


def _masked_parameters(parameters: Any) -> Any:
    if isinstance(parameters, dict):
        return {name: _masked_parameter(value) for name, value in parameters.items()}
    if isinstance(parameters, list | tuple):
        return type(parameters)(_masked_parameter(value) for value in parameters)
    return parameters


def _masked_parameter(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    wrapped = _json_wrapper(value)
    if wrapped is not None:
        return type(value)(redact_data(wrapped), value.dumps)
    return value


def _json_wrapper(value: Any) -> Any:
    """The data inside psycopg's ``Json``/``Jsonb`` parameter wrapper, else None."""
    from psycopg.types.json import Json, Jsonb

    return value.obj if isinstance(value, Json | Jsonb) else None
