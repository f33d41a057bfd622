"""What a value is known to be before the run: text, a number, a date, an object with
fields... read from an input's declared type, an operation's result model or a task's
fields. ``None`` stands for "not known" (``Any``, a free-form dict, a union of types), and
the rules built on shapes stay silent there: a guess would be a false alarm.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel

from bot.procedure.inputs import InputSpec

Kind = Literal["text", "number", "boolean", "date", "datetime", "list", "object"]

_ARTICLES: dict[Kind, str] = {
    "text": "text",
    "number": "a number",
    "boolean": "a true/false value",
    "date": "a date",
    "datetime": "a date and time",
    "list": "a list",
    "object": "a record",
}
_MAX_DEPTH = 8


@dataclass(frozen=True)
class Shape:
    """A known kind of value; an object's fields (each a Shape, or None when not known)
    and a text's allowed values, when it is a choice."""

    kind: Kind
    fields: dict[str, Shape | None] = field(default_factory=dict, hash=False)
    choices: tuple[str, ...] = ()
    source: str = ""
    """Where the fields come from, for messages: "crm.get_order's result"."""

    def describe(self) -> str:
        """The kind in words: "a number", "text (one of active, closed)"."""
        if self.choices:
            return "a choice of " + ", ".join(self.choices)
        return _ARTICLES[self.kind]


TEXT = Shape("text")
NUMBER = Shape("number")
BOOLEAN = Shape("boolean")
DATE = Shape("date")
DATETIME = Shape("datetime")
LIST = Shape("list")

_INPUT_KINDS: dict[str, Shape] = {
    "integer": NUMBER,
    "number": NUMBER,
    "boolean": BOOLEAN,
    "date": DATE,
    "datetime": DATETIME,
}


def input_shape(spec: InputSpec) -> Shape:
    """An input's (or a task field's) shape from its declared type."""
    if spec.type == "choice":
        return Shape("text", choices=tuple(spec.choices))
    return _INPUT_KINDS.get(spec.type, TEXT)


def fields_shape(specs: dict[str, InputSpec], source: str) -> Shape:
    """A record of typed fields, such as a task's answer."""
    return Shape("object", {name: input_shape(spec) for name, spec in specs.items()}, (), source)


@lru_cache(maxsize=1024)
def model_shape(model: type[BaseModel], source: str) -> Shape:
    """A pydantic model's shape, fields by the names SOPs read (aliases)."""
    return _model(model, source, 0)


def _model(model: type[BaseModel], source: str, depth: int) -> Shape:
    fields = {
        info.alias or name: _annotation(info.annotation, source, depth + 1)
        for name, info in model.model_fields.items()
    }
    return Shape("object", fields, (), source)


def _annotation(annotation: Any, source: str, depth: int) -> Shape | None:
    if depth > _MAX_DEPTH:
        return None
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _annotation(arguments[0], source, depth)
    if origin in (typing.Union, types.UnionType):
        real = [argument for argument in arguments if argument is not type(None)]
        return _annotation(real[0], source, depth) if len(real) == 1 else None
    if origin is Literal:
        if arguments and all(isinstance(value, str) for value in arguments):
            return Shape("text", choices=tuple(arguments))
        return NUMBER if all(type(value) in (int, float) for value in arguments) else None
    if origin in (list, tuple, set, frozenset):
        return LIST
    if annotation is bool:
        return BOOLEAN
    if annotation in (int, float):
        return NUMBER
    if annotation is str:
        return TEXT
    if annotation is dt.datetime:
        return DATETIME
    if annotation is dt.date:
        return DATE
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation, source, depth)
    return None  # Any, dict, and whatever else: not known
