"""What went wrong with a HubSpot call, as one ``ToolError`` line a person can act on.

HubSpot answers errors as JSON (``message``, ``category``, and ``errors[].context`` naming
the property or the scopes at fault). A refused token names the setting, a missing scope the
scope to add, a bad property the property; rate limits (HubSpot's ten-secondly one too),
5xx answers, timeouts and lost connections are worth retrying, the rest is not.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from bot.connectors.base import ToolError

TOKEN_SETTING = "SOPBOT_HUBSPOT_ACCESS_TOKEN"
REASON_LENGTH = 200
TEN_SECONDS = 10.0


class Conflict(ToolError):
    """HubSpot refused a create because a unique property already holds that value."""


class NotFound(ToolError):
    """HubSpot has no record at that ID."""


def _error_json(body: bytes | str | None) -> dict[str, Any]:
    if not body:
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= REASON_LENGTH else f"{line[:REASON_LENGTH]}…"


def _context(data: Mapping[str, Any], *keys: str) -> list[str]:
    """Every value under ``keys`` in the ``context`` of HubSpot's ``errors``."""
    found: list[str] = []
    for error in data.get("errors") or []:
        context = error.get("context") if isinstance(error, dict) else None
        for key in keys:
            values = context.get(key) if isinstance(context, dict) else None
            found.extend(str(value) for value in values or [] if str(value) not in found)
    return found


def _reason(data: Mapping[str, Any], body: bytes | str | None) -> str:
    """HubSpot's own words: the first error's message, else the top message, else the body."""
    errors = [error for error in data.get("errors") or [] if isinstance(error, dict)]
    message = errors[0].get("message") if errors else None
    if not message:
        message = data.get("message")
    if not message and body:
        message = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return _short(str(message or ""))


def _wait(headers: Mapping[str, str], data: Mapping[str, Any]) -> float | None:
    """Seconds to wait: ``Retry-After``, else the ten-second window HubSpot's burst limit
    counts in; None for a daily limit without a header."""
    retry_after = str(headers.get("Retry-After", "")).strip()
    if retry_after.isdigit():
        return float(retry_after)
    window = str(headers.get("X-HubSpot-RateLimit-Interval-Milliseconds", "")).strip()
    if window.isdigit():
        return int(window) / 1000
    if "SECONDLY" in str(data.get("policyName", "")).upper():
        return TEN_SECONDS
    return None


def answer_error(
    status: int, body: bytes | str | None, headers: Mapping[str, str], doing: str
) -> ToolError:
    """The ``ToolError`` for HubSpot's answer ``status`` (400 or more) while ``doing``."""
    data = _error_json(body)
    category = str(data.get("category") or data.get("errorType") or status)
    reason = _reason(data, body)
    if status == 401:
        return ToolError(
            f"HubSpot refused the access token while {doing} ({category}): check "
            f"{TOKEN_SETTING} (the private app's token; a rotated token must be replaced)"
        )
    scopes = _context(data, "requiredGranularScopes", "requiredScopes", "requiredScope")
    if status == 403 and (category == "MISSING_SCOPES" or scopes):
        named = " or ".join(scopes) if scopes else "the one this call needs"
        return ToolError(
            f"HubSpot's private app lacks the scope {named} for {doing}: add it to the app's "
            f"scopes in HubSpot, then set {TOKEN_SETTING} to the token HubSpot shows"
        )
    if status == 404:
        return NotFound(f"HubSpot has no such record ({doing}: 404 {category})")
    if status == 409:
        return Conflict(f"HubSpot refused {doing}: {reason}")
    if status == 429:
        wait = _wait(headers, data)
        policy = str(data.get("policyName") or "rate limit").lower()
        after = f"; it asks to wait {wait:g}s" if wait is not None else ""
        return ToolError(
            f"HubSpot is rate limiting sopbot ({policy}) while {doing}{after}",
            retryable=True,
            retry_after=wait,
        )
    if status >= 500:
        said = f": {reason}" if reason else ""
        return ToolError(f"HubSpot failed with {status} while {doing}{said}", retryable=True)
    properties = _context(data, "propertyName", "propertyNames", "properties")
    fix = (
        f" (property {', '.join(properties)}: check it in the mapping file, SOPBOT_HUBSPOT_MAPPING)"
        if properties
        else ""
    )
    named = f"{status} {category}" if category != str(status) else str(status)
    said = f": {reason}" if reason else ""
    return ToolError(f"HubSpot refused {doing} with {named}{said}{fix}")


def transport_error(error: Exception, doing: str, timeout: float) -> ToolError:
    """A call that got no answer: a timeout or a lost connection, both worth retrying."""
    if isinstance(error, Urllib3Timeout) and not isinstance(error, NewConnectionError):
        return ToolError(
            f"HubSpot did not answer within {timeout:g}s while {doing}", retryable=True
        )
    name = type(error).__name__ if isinstance(error, HTTPError | OSError) else "error"
    return ToolError(f"HubSpot could not be reached while {doing} ({name})", retryable=True)


def broken_json(error: json.JSONDecodeError, doing: str) -> ToolError:
    """A 2xx answer that is not JSON: a proxy or a wrong URL, not HubSpot's API."""
    return ToolError(
        f"HubSpot answered broken JSON while {doing} ({error.msg} at character {error.pos}); "
        "check SOPBOT_HUBSPOT_API_URL points at HubSpot's API"
    )


def wrong_answer(problem: str, doing: str) -> ToolError:
    """A 2xx answer HubSpot's API would not give: ``problem`` says what it was."""
    return ToolError(
        f"{problem} while {doing}; check SOPBOT_HUBSPOT_API_URL points at HubSpot's API"
    )
