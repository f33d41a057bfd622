"""Run-time expression errors in the procedure's terms.

The template engine says ``'dict object' has no attribute 'Suspended'``; the person reading
an escalation needs ``risk.level has no key 'Suspended'; it has: Low, Medium, High``. A
missing name is explained by walking the expression's references through the run's values
to the first link that breaks; other errors have the engine's Python type names replaced
by the words SOP authors use (a number, a text, an object, a list, nothing).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_SHOWN_KEYS = 12
_TYPE_WORDS = {
    "dict": "an object",
    "int": "a number",
    "float": "a number",
    "bool": "true/false",
    "str": "a text",
    "list": "a list",
    "tuple": "a list",
    "NoneType": "nothing (null)",
}
_OBJECT_HAS_NO = re.compile(r"'?(\w+) object'? has no (attribute|element) '?([^']*)'?")
_COMPARE = re.compile(r"'(\S+)' not supported between instances of '(\w+)' and '(\w+)'")
_OPERAND = re.compile(r"unsupported operand type\(s\) for (\S+): '(\w+)' and '(\w+)'")
_IS_UNDEFINED = re.compile(r"'(\w+)' is undefined")


def explain(
    error: Exception,
    source: str,
    context: Mapping[str, Any],
    references: Callable[[], Sequence[tuple[str, tuple[str, ...]]]],
) -> str:
    """Why ``source`` could not be evaluated against ``context``, in the procedure's terms.
    ``references`` lists the expression's ``(root, path)`` chains, asked only when needed."""
    if type(error).__name__ == "UndefinedError":
        chains = references()
        for root, path in chains:
            broken = _broken_link(root, path, context)
            if broken is not None:
                return f"cannot evaluate '{source}': {broken}"
        missing = _OBJECT_HAS_NO.search(str(error))
        if missing:  # a key computed at run time: ``limits[risk.level]``
            lacking = _lacking(missing.group(3), chains, context)
            if lacking is not None:
                return f"cannot evaluate '{source}': {lacking}"
    return f"cannot evaluate '{source}': {_plain(str(error))}"


def _lacking(
    key: str, chains: Sequence[tuple[str, tuple[str, ...]]], context: Mapping[str, Any]
) -> str | None:
    """Which of the expression's objects lacks ``key`` (computed by the expression), if
    exactly one does."""
    found = []
    for root, path in chains:
        value: Any = context.get(root)
        for part in path:
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, Mapping) and key not in {str(name) for name in value}:
            has = f"it has: {_listing(value)}" if value else "it is empty"
            found.append(f"`{'.'.join((root, *path))}` has no key '{key}'; {has}")
    return found[0] if len(found) == 1 else None


def _broken_link(root: str, path: tuple[str, ...], context: Mapping[str, Any]) -> str | None:
    """The first link of ``root.path`` that the run's values do not have; None if all do."""
    if root not in context:
        return f"`{root}` is not defined; known names: {_listing(context)}"
    value = context[root]
    for depth, part in enumerate(path):
        where = ".".join((root, *path[:depth]))
        if isinstance(value, Mapping):
            if part not in value:
                has = f"it has: {_listing(value)}" if value else "it is empty"
                return f"`{where}` has no key '{part}'; {has}"
            value = value[part]
        elif value is None or isinstance(value, str | int | float | list | tuple):
            return f"`{where}` is {_kind(value)}, which has no key '{part}'"
        elif not hasattr(value, part):
            return f"`{where}` has no field '{part}'"
        else:
            value = getattr(value, part)
    return None


def _listing(values: Mapping[str, Any]) -> str:
    names = [str(name) for name in values if not str(name).startswith("_")]
    shown = ", ".join(names[:_SHOWN_KEYS])
    return shown + (f" and {len(names) - _SHOWN_KEYS} more" if len(names) > _SHOWN_KEYS else "")


def _kind(value: Any) -> str:
    word = _TYPE_WORDS.get(type(value).__name__, "a value")
    if value is None or isinstance(value, list | tuple):
        return word
    return f"{word} ({value!r})"


def _word(type_name: str) -> str:
    return _TYPE_WORDS.get(type_name, type_name)


def _plain(message: str) -> str:
    """The engine's message with Python's type names said as SOP authors say them."""
    compared = _COMPARE.search(message)
    if compared:
        operator, left, right = compared.groups()
        return f"cannot compare {_word(left)} with {_word(right)} using '{operator}'"
    operand = _OPERAND.search(message)
    if operand:
        operator, left, right = operand.groups()
        return f"cannot use '{operator}' on {_word(left)} and {_word(right)}"
    undefined = _IS_UNDEFINED.search(message)
    if undefined:
        return f"`{undefined.group(1)}` is not defined"
    has_no = _OBJECT_HAS_NO.search(message)
    if has_no:
        kind, _, name = has_no.groups()
        return f"{_word(kind)} has no key '{name}'"
    return message
