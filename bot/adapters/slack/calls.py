"""Calling the Web API through bad weather: rate limits waited out as Slack asks, server
errors and lost connections tried again a bounded number of times, then a clear error (the
outbox tries the message again later, so nothing is dropped).

A call that may have reached Slack before it failed (a 5xx, a timeout, a reset) is not
simply repeated: ``landed`` is asked first, so a post Slack kept is found, not doubled.
A 429 is safe to repeat: Slack did nothing with the request.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from typing import TypeVar

from slack_sdk.errors import SlackApiError

from bot.chat.port import Undeliverable

T = TypeVar("T")

RATE_LIMITED = "ratelimited"
MAX_RETRY_AFTER = 120.0
"""The longest ``Retry-After`` waited out in place; a longer one is left to the outbox."""


class SlackUnavailable(RuntimeError):
    """Slack did not take the call after every try: the outbox tries again later.
    ``retry_after``: the seconds Slack last asked to wait, when it was rate limiting."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SlackRefused(Undeliverable):
    """Slack answered the call with an error that trying again will not change."""

    def __init__(self, method: str, error: str, hint: str, *, needed: str | None = None) -> None:
        super().__init__(f"Slack refused {method}: {error} ({hint})")
        self.method = method
        self.error = error
        self.needed = needed
        """The scope a ``missing_scope`` answer names."""


HINTS = {
    "channel_not_found": "no such channel, or sopbot cannot see it: check the ID, or invite "
    "the app to a private channel",
    "not_in_channel": "invite sopbot to the channel (/invite @sopbot)",
    "is_archived": "the channel is archived",
    "user_not_found": "no such user in this workspace",
    "no_such_subteam": "no such user group",
    "invalid_auth": "the bot token is wrong: check SOPBOT_SLACK_BOT_TOKEN",
    "not_authed": "no bot token was sent: set SOPBOT_SLACK_BOT_TOKEN",
    "missing_scope": "the app lacks a scope this needs: reinstall it from manifest.yml",
    "message_not_found": "the message to update is gone",
}


@dataclass
class Retrying:
    """How many tries, and how to wait between them (``sleep`` is injectable for tests)."""

    attempts: int = 4
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep

    def call(
        self,
        method: str,
        attempt: Callable[[], T],
        *,
        landed: Callable[[], T | None] | None = None,
    ) -> T:
        """``attempt()`` until it succeeds; before repeating one that may have reached Slack,
        ``landed()`` says whether it did (and what it made)."""
        unsure = False
        asked: float | None = None
        for number in range(1, self.attempts + 1):
            if unsure and landed is not None:
                earlier = landed()
                if earlier is not None:
                    return earlier
            try:
                return attempt()
            except SlackApiError as error:
                wait = asked = self._rate_limit_wait(error)
                if wait is None:
                    if error.response.status_code < 500:
                        problem = str(error.response.get("error", "unknown_error"))
                        needed = error.response.get("needed")
                        raise SlackRefused(
                            method, problem, HINTS.get(problem, ""), needed=needed
                        ) from None
                    wait, unsure = self.backoff * 2 ** (number - 1), True
                last = f"{error.response.status_code} {error.response.get('error', '')}".strip()
            except (HTTPException, OSError) as error:  # timeouts and resets are OSErrors
                wait, unsure, asked = self.backoff * 2 ** (number - 1), True, None
                last = f"{error.__class__.__name__}: {error}"
            if number < self.attempts:
                self.sleep(wait)
        raise SlackUnavailable(
            f"Slack did not take {method} after {self.attempts} tries ({last}); "
            "it will be tried again later",
            retry_after=asked,
        )

    @staticmethod
    def _rate_limit_wait(error: SlackApiError) -> float | None:
        """Seconds to wait for a rate limit (a 429, or ``ratelimited`` in the body); None
        for any other error."""
        response = error.response
        if response.status_code != 429 and response.get("error") != RATE_LIMITED:
            return None
        headers = {name.lower(): value for name, value in response.headers.items()}
        raw = headers.get("retry-after", "1")
        seconds = _seconds(raw[0] if isinstance(raw, list) else raw)
        if seconds > MAX_RETRY_AFTER:
            raise SlackUnavailable(
                f"Slack asks to wait {seconds:.0f} s; the message will be tried again later",
                retry_after=seconds,
            )
        return seconds


def _seconds(raw: str) -> float:
    """``Retry-After`` in seconds; one that is not a finite, non-negative number (``nan``,
    a date, a proxy's garbage) counts as 1 s rather than breaking the wait."""
    try:
        seconds = float(raw)
    except ValueError:
        return 1.0
    return seconds if math.isfinite(seconds) and seconds >= 0 else 1.0
