"""Date functions for SOP expressions: read a text date, add a duration, count days, format.

Tools hand dates over as text ("October 10th, 2024", "2024-10-10"), and comparing them
used to take Python methods nobody had documented. These few functions are globals of the
sandbox (``bot.procedure.sandbox``), so each call is counted and its result sized like any
other call; they never read the clock (``today`` and ``now`` do that).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from bot.procedure.durations import parse_duration

_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b", re.IGNORECASE)
_TEXT_FORMATS = ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y")
_MAX_TEXT = 100
"""A date written out is short; longer text is refused before it is read."""


class DateError(ValueError):
    """A value that is not a date, or a date operation that cannot work; says why."""


def to_date(value: Any) -> dt.date:
    """The calendar date of ``value``: a date, a datetime, or text such as "2024-10-10",
    "2024-10-10T09:30:00+00:00", "October 10th, 2024", "Oct 10 2024" or "10 October 2024"."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise DateError(f"to_date reads a date or a text date, not {type(value).__name__}")
    text = value.strip()
    if len(text) > _MAX_TEXT:
        raise DateError(f"to_date reads a date of at most {_MAX_TEXT} characters")
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    plain = " ".join(_ORDINAL.sub("", text).replace(",", " ").split())
    for layout in _TEXT_FORMATS:
        try:
            return dt.datetime.strptime(plain, layout).date()
        except ValueError:
            continue
    raise DateError(
        f"cannot read '{value}' as a date; write it like 2024-10-10 or October 10, 2024"
    )


def add_duration(value: Any, duration: str) -> dt.date | dt.datetime:
    """``value`` (a date, datetime or text date) plus a duration such as "7d" or "-2h";
    a date takes whole days only, so "2h" is added to a datetime such as ``now``."""
    if not isinstance(duration, str):
        raise DateError(f"add_duration takes a duration such as '7d', not {duration!r}")
    sign = -1 if duration.startswith("-") else 1
    try:
        delta = sign * parse_duration(duration.removeprefix("-"))
    except ValueError as error:
        raise DateError(f"add_duration: {error}") from None
    if isinstance(value, dt.datetime):
        return value + delta
    if delta % dt.timedelta(days=1):
        raise DateError(
            f"a date moves by whole days; '{duration}' is not, so add it to a datetime (now)"
        )
    return to_date(value) + delta


def days_between(start: Any, end: Any) -> int:
    """Whole calendar days from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    return (to_date(end) - to_date(start)).days


def format_date(value: Any, layout: str = "%Y-%m-%d") -> str:
    """``value`` written with a strftime layout such as "%d %B %Y" (default: 2024-10-10)."""
    if not isinstance(layout, str) or len(layout) > _MAX_TEXT:
        raise DateError(f"format_date takes a layout of at most {_MAX_TEXT} characters")
    when = value if isinstance(value, dt.datetime) else to_date(value)
    return when.strftime(layout)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    function.__name__: function for function in (to_date, add_duration, days_between, format_date)
}
"""The date functions by the name expressions call them."""
