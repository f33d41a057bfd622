"""Stand-in results for writes that shadow mode records instead of performing, so later
steps that read the result still run and show what they would do."""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any

from bot.catalogue.operation import Result


def placeholder_result(model: type[Result], now: dt.datetime) -> dict[str, Any]:
    """A value for every declared field: defaults where given, typed stand-ins otherwise."""
    values: dict[str, Any] = {"shadow": True}
    for name, info in model.model_fields.items():
        if not info.is_required():
            default = info.get_default(call_default_factory=True)
            values[name] = default.isoformat() if isinstance(default, dt.date) else default
            continue
        values[name] = _stand_in(info.annotation, name, now)
    return values


def _stand_in(annotation: Any, name: str, now: dt.datetime) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _stand_in(options[0], name, now) if options else None
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if origin in (list, tuple, set):
        return []
    if origin is dict:
        return {}
    simple: dict[Any, Any] = {
        str: f"shadow-{name}",
        int: 0,
        float: 0.0,
        bool: False,
        dt.datetime: now.isoformat(),
        dt.date: now.date().isoformat(),
    }
    return simple.get(annotation)
