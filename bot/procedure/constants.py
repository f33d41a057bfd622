"""Named values written once: the ``constants:`` section, read as ``constants.NAME``.

A limit or threshold that appears in a condition and in ``permissions.limits`` is written
once under ``constants:``. Expressions read it at run time like any other name; a limit
refers to it as ``max: constants.refund_limit``, and the reference is replaced by the value
while the procedure loads, so the connector boundary checks the number itself. A reference
that cannot be resolved is left as a marker that the limit's own field refuses, which puts
the finding (SOP250 unknown, SOP251 wrong type) at the exact key.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

ROOT = "constants"
"""The name expressions read constants under: ``constants.refund_limit``."""

REFERENCE_PATTERN = r"^constants\.[a-z][a-z0-9_]*$"
_REFERENCE = re.compile(REFERENCE_PATTERN)

Scalar = StrictBool | StrictInt | StrictFloat | StrictStr
ConstantValue = Scalar | list[Scalar]
"""A constant is a yes/no, a number, a text, or a list of those."""

UNKNOWN = "unknown_constant"
WRONG_TYPE = "constant_type"
"""The error types a limit's field raises for a reference it cannot take; the loader reports
them as SOP250 and SOP251."""


@dataclass(frozen=True)
class BadReference:
    """A limit's reference that did not resolve: what to say about it."""

    kind: str
    message: str


# What each limit key takes, in words, and the test a constant's value must pass.
_LIMIT_KEYS: dict[str, tuple[str, Any]] = {
    "max": ("a number", lambda v: isinstance(v, int | float) and not isinstance(v, bool)),
    "min": ("a number", lambda v: isinstance(v, int | float) and not isinstance(v, bool)),
    "max_length": ("a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "one_of": ("a list", lambda v: isinstance(v, list)),
}


def is_reference(value: object) -> bool:
    """True for text of the form ``constants.NAME``."""
    return isinstance(value, str) and _REFERENCE.match(value) is not None


def describe(value: object) -> str:
    """A constant's type in words, with its value: ``a number (500)``."""
    if isinstance(value, bool):
        kind = "yes/no"
    elif isinstance(value, int | float):
        kind = "a number"
    elif isinstance(value, str):
        kind = "a text"
    else:
        kind = "a list"
    return f"{kind} ({value!r})"


def unknown_message(name: str, known: dict[str, Any]) -> str:
    """``no constant named 'x'`` with the closest known name, and what there is."""
    matches = difflib.get_close_matches(name, list(known), n=1, cutoff=0.7)
    message = f"no constant named '{name}' in constants"
    if matches:
        return message + f" (did you mean '{matches[0]}'?)"
    return message + (f"; it has: {', '.join(known)}" if known else "; the procedure has none")


def resolve_limits(data: Any) -> Any:
    """The raw procedure with every ``constants.NAME`` in ``permissions.limits`` replaced by
    the constant's value (or by a ``BadReference``); the input is not changed."""
    if not isinstance(data, dict):
        return data
    permissions = data.get("permissions")
    if not isinstance(permissions, dict) or not isinstance(permissions.get("limits"), dict):
        return data
    limits: dict[str, Any] = permissions["limits"]
    known = data.get(ROOT)
    known = known if isinstance(known, dict) else {}
    resolved_limits = {
        operation: (
            {
                argument: _resolved_limit(limit, known) if isinstance(limit, dict) else limit
                for argument, limit in arguments.items()
            }
            if isinstance(arguments, dict)
            else arguments
        )
        for operation, arguments in limits.items()
    }
    return {**data, "permissions": {**permissions, "limits": resolved_limits}}


def _resolved_limit(limit: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    resolved = dict(limit)
    for key, value in limit.items():
        if key in _LIMIT_KEYS and is_reference(value):
            resolved[key] = _resolved(key, value.removeprefix(ROOT + "."), known)
    return resolved


def _resolved(key: str, name: str, known: dict[str, Any]) -> Any:
    if name not in known:
        return BadReference(UNKNOWN, unknown_message(name, known))
    value = known[name]
    wanted, fits = _LIMIT_KEYS[key]
    if not fits(value):
        return BadReference(
            WRONG_TYPE,
            f"{key} takes {wanted}; the constant '{name}' is {describe(value)}",
        )
    return value


def _refuse_bad_reference(value: Any) -> Any:
    if isinstance(value, BadReference):
        raise PydanticCustomError(value.kind, value.message)
    return value


Resolvable = BeforeValidator(_refuse_bad_reference)
"""Put on a limit's field: refuses a reference that did not resolve, in its own words."""

_AS_REFERENCE = {"type": "string", "pattern": REFERENCE_PATTERN, "examples": ["constants.NAME"]}


def _or_reference(schema: dict[str, Any]) -> WithJsonSchema:
    return WithJsonSchema({"anyOf": [schema, _AS_REFERENCE]})


LimitNumber = Annotated[float, Resolvable, _or_reference({"type": "number"})]
LimitCount = Annotated[
    int, Field(ge=0), Resolvable, _or_reference({"type": "integer", "minimum": 0})
]
LimitChoices = Annotated[list[Any], Resolvable, _or_reference({"type": "array", "items": {}})]
