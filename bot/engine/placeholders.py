"""Simulated results for shadow mode, so a procedure that opens something (a ticket, a
session) and then reads with what the write returned still runs to its end, and its
decisions can be compared with what people did.

A simulated result is synthesised from the operation's result model: plausible typed
values, an echo of the call's own arguments where a field has an argument's name (a read
of ``SIM-…`` answers with ``key: SIM-…``), and ids of the form ``SIM-`` plus eight hex
digits, derived from the call's identity so a redone call gets the same ids. Each carries
``simulated: true``. A later call whose arguments contain such an id is simulated too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel

from bot.catalogue.operation import Result

SIMULATED = "simulated"
"""The key that marks a result as simulated, wherever the result shows."""
_SIMULATED_ID = re.compile(r"SIM-[0-9A-F]{8}")
_ID_NAMES = re.compile(r"(^|_)(id|key|ref|number|token)$|[a-z](Id|Key|Ref|Number)$")


def simulated_result(
    model: type[Result], *, seed: str, arguments: dict[str, Any], now: dt.datetime
) -> dict[str, Any]:
    """A result of ``model``'s shape, marked ``simulated``; ``seed`` names the call."""
    values = _fields(model, seed, arguments, now)
    values[SIMULATED] = True
    return values


def depends_on_simulation(value: Any) -> bool:
    """True when ``value`` (a call's arguments) holds an id a simulated result made up."""
    if isinstance(value, str):
        return _SIMULATED_ID.search(value) is not None
    if isinstance(value, dict):
        return any(depends_on_simulation(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(depends_on_simulation(item) for item in value)
    return False


def _fields(
    model: type[BaseModel], seed: str, arguments: dict[str, Any], now: dt.datetime
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key in arguments:
            values[key] = arguments[key]
        elif info.is_required():
            values[key] = _stand_in(info.annotation, key, f"{seed}/{key}", now)
        else:
            default = info.get_default(call_default_factory=True)
            values[key] = default.isoformat() if isinstance(default, dt.date) else default
    return values


def _stand_in(annotation: Any, name: str, seed: str, now: dt.datetime) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return _stand_in(options[0], name, seed, now) if options else None
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if origin in (list, tuple, set):
        return []
    if origin is dict:
        return {}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _fields(annotation, seed, {}, now)
    if annotation is str:
        return _text(name, seed)
    simple: dict[Any, Any] = {
        int: 0,
        float: 0.0,
        bool: False,
        dt.datetime: now.isoformat(),
        dt.date: now.date().isoformat(),
    }
    return simple.get(annotation)


def _text(name: str, seed: str) -> str:
    """An id for id-like fields, a link for links, and a labelled stand-in otherwise."""
    made_up = "SIM-" + hashlib.sha256(seed.encode()).hexdigest()[:8].upper()
    if _ID_NAMES.search(name):
        return made_up
    if "url" in name.lower() or "link" in name.lower():
        return f"https://simulated.invalid/{made_up}"
    return f"simulated {name}"
