"""NaN and infinity are not numbers anyone means: they pass every comparison the wrong way
(``nan < 0.01`` and ``nan > 500`` are both false), so each boundary where numbers come in
(run inputs, tool arguments and results, computed values, limits) refuses them with the
one message below."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def non_finite(value: Any, where: str = "") -> tuple[str, float | Decimal] | None:
    """The first NaN or infinity in ``value`` (searched level by level through lists and
    mappings) and where it is, such as ``fields.amount`` or ``lines[2]``; None if none."""
    pending: deque[tuple[str, Any]] = deque([(where, value)])
    while pending:
        place, item = pending.popleft()
        if isinstance(item, float) and not math.isfinite(item):
            return place, item
        if isinstance(item, Decimal) and not item.is_finite():
            return place, item
        if isinstance(item, Mapping):
            pending.extend((_join(place, str(key)), inner) for key, inner in item.items())
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend((f"{place}[{index}]", inner) for index, inner in enumerate(item))
    return None


def non_finite_problem(value: Any, where: str) -> str | None:
    """``amount must be a finite number, not nan``, or None when ``value`` holds none."""
    found = non_finite(value, where)
    if found is None:
        return None
    place, number = found
    return f"{place} must be a finite number, not {number}"


def recordable(value: Any) -> Any:
    """A copy of ``value`` with each NaN or infinity written as text (``"nan"``), for the
    records of something refused: JSON has no such numbers, and PostgreSQL will not store
    them."""
    if isinstance(value, float | Decimal) and non_finite(value) is not None:
        return str(value)
    if isinstance(value, Mapping):
        return {key: recordable(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [recordable(inner) for inner in value]
    return value


def _join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key
