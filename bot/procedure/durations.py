"""Human durations such as ``30s``, ``15m``, ``2h``, ``7d``, ``1w`` or ``1d12h``.

SOP authors think in these units; the engine needs ``timedelta``. Both directions live
here so that a saved procedure round-trips to the same text.
"""

from __future__ import annotations

import re
from datetime import timedelta

_UNITS: dict[str, int] = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)([wdhms])")
DURATION_PATTERN = r"^\s*(\d+[wdhms])+\s*$"
_WHOLE = re.compile(DURATION_PATTERN)
LONGEST = timedelta(days=36_525)
"""A hundred years: longer than any procedure waits, and short enough that the engine's
date arithmetic (now plus a duration) stays far inside the calendar."""


def parse_duration(text: str) -> timedelta:
    """Parse ``1d12h`` into a timedelta; raise ValueError with a usable hint otherwise."""
    if not _WHOLE.match(text):
        raise ValueError(
            f"'{text}' is not a duration; write a number and a unit, such as 30s, 15m, 2h, 7d or 1w"
        )
    parts = [(number.lstrip("0"), unit) for number, unit in _PART.findall(text)]
    # A number with more digits than seconds in LONGEST is too long before it is read.
    if any(len(number) > 10 for number, _ in parts):
        raise ValueError(_too_long(text))
    seconds = sum(int(number or "0") * _UNITS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ValueError(f"'{text}' is zero; a duration must be longer than that")
    if seconds > LONGEST.total_seconds():
        raise ValueError(_too_long(text))
    return timedelta(seconds=seconds)


def _too_long(text: str) -> str:
    return f"'{text}' is longer than 100 years, the longest duration sopbot counts"


def format_duration(value: timedelta) -> str:
    """Write a timedelta in the shortest form ``parse_duration`` reads back."""
    remaining = int(value.total_seconds())
    if remaining <= 0:
        return "0s"
    parts = []
    for unit, size in _UNITS.items():
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
