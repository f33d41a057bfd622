"""Which failed requests are worth repeating, and how long to wait first.

sopbot retries itself (tenacity) instead of leaving it to the openai client, so each wait is
logged, the sleep can be replaced in tests, and one audit record counts every try.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import openai
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base

from bot.llm.faults import refuses_response_format

log = logging.getLogger(__name__)

LONGEST_WAIT = 60.0
"""A server that asks for a longer pause than this is not waited for: the caller takes its
offline path sooner than a person would wait."""

_backoff = wait_exponential_jitter(multiplier=0.5, max=8.0, jitter=0.5)


def retry_after(error: BaseException) -> float | None:
    """The pause the server asked for (``Retry-After`` in seconds, or ``retry-after-ms``)."""
    if not isinstance(error, openai.APIStatusError):
        return None
    headers = error.response.headers
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            seconds = float(headers.get(name, "")) / scale
        except ValueError:
            continue
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
    return None


def worth_repeating(error: BaseException) -> bool:
    """Timeouts, lost connections, 408, 409, 429 and 5xx, unless the server asked for a pause
    longer than ``LONGEST_WAIT`` or said it does not take the answer format asked for."""
    if isinstance(error, openai.APIConnectionError):  # timeouts included
        return True
    if not isinstance(error, openai.APIStatusError) or refuses_response_format(error):
        return False
    if error.status_code not in (408, 409, 429) and error.status_code < 500:
        return False
    pause = retry_after(error)
    return pause is None or pause <= LONGEST_WAIT


def _wait(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome else None
    pause = retry_after(error) if error else None
    return pause if pause is not None else float(_backoff(state))


def _say_wait(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    log.warning(
        "model service: %s; trying again in %.1f s (try %d)",
        type(error).__name__,
        wait,
        state.attempt_number + 1,
    )


class _OutOfTime(stop_base):
    """Stop when the pause before the next try would not end before the deadline."""

    def __init__(self, left: Callable[[], float]) -> None:
        self.left = left

    def __call__(self, retry_state: RetryCallState) -> bool:
        return (retry_state.upcoming_sleep or 0.0) >= self.left()


def retrying(
    max_retries: int, sleep: Callable[[float], Any], left: Callable[[], float] | None = None
) -> Retrying:
    """The retry loop for one request: at most ``max_retries`` repeats, none that could not
    start before the deadline (``left``: its seconds left); the last failure is raised as
    it came."""
    stop: stop_base = stop_after_attempt(max_retries + 1)
    if left is not None:
        stop = stop | _OutOfTime(left)
    return Retrying(
        stop=stop,
        wait=_wait,
        retry=retry_if_exception(worth_repeating),
        sleep=sleep,
        before_sleep=_say_wait,
        reraise=True,
    )
