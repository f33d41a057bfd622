"""How far a tool's clock is from ours, read from the HTTP ``Date`` header of its answer.

Webhook timestamps and Slack's request signatures are accepted within a few minutes of
this server's clock, so a clock more than ``TOLERANCE`` off is worth a warning before it
turns into refused deliveries.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

from bot.catalogue.operation import Health

TOLERANCE = dt.timedelta(seconds=60)


def clock_health(subject: str, date_header: str | None, now: dt.datetime) -> Health | None:
    """A warning when ``date_header`` is more than ``TOLERANCE`` from ``now``; None when it
    is close, or missing or unreadable (then nothing can be said)."""
    if not date_header:
        return None
    try:
        theirs = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return None
    if theirs.tzinfo is None:
        theirs = theirs.replace(tzinfo=dt.UTC)
    skew = (theirs - now).total_seconds()
    if abs(skew) <= TOLERANCE.total_seconds():
        return None
    direction = "ahead of" if skew > 0 else "behind"
    return Health(
        subject,
        ok=True,
        warning=True,
        detail=f"its clock is {abs(skew):.0f} s {direction} this server's; signed requests "
        "and webhook timestamps are refused beyond a few minutes: sync this host's clock (NTP)",
    )
