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


def parse_duration(text: str) -> timedelta:
    """Parse ``1d12h`` into a timedelta; raise ValueError with a usable hint otherwise."""
    if not _WHOLE.match(text):
        raise ValueError(
            f"'{text}' is not a duration; write a number and a unit, such as 30s, 15m, 2h, 7d or 1w"
        )
    seconds = sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(text))
    if seconds <= 0:
        raise ValueError(f"'{text}' is zero; a duration must be longer than that")
    return timedelta(seconds=seconds)


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
