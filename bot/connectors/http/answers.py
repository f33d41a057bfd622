"""What an HTTP answer means to a procedure: a result (JSON or text), or a ``ToolError``
that says whether waiting helps (timeouts, 5xx, 429 with its Retry-After) or not (4xx, with
the server's own short reason; broken JSON)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

from bot.connectors.base import ToolError

REASON_LENGTH = 200


def decode(body: bytes, content_type: str, where: str) -> Any:
    """The body as JSON when the server says it is JSON, else as text; None when empty."""
    if not body:
        return None
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        text = body.decode(_charset(content_type), errors="replace")
    except LookupError:  # a charset Python does not know: read it as UTF-8
        text = body.decode("utf-8", errors="replace")
    if media == "application/json" or media.endswith("+json"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ToolError(
                f"{where} answered broken JSON ({error.msg} at character {error.pos}); "
                "the service is misbehaving: check it, or ask its owner"
            ) from None
    return text


def _charset(content_type: str) -> str:
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"') or "utf-8"
    return "utf-8"


def failure(
    status: int,
    body: bytes,
    retry_after: str | None,
    where: str,
    now: Callable[[], dt.datetime],
) -> ToolError:
    """The ``ToolError`` for an answer of 400 or more."""
    reason = _reason(body)
    said = f": {reason}" if reason else ""
    if status == 429:
        wait = _seconds(retry_after, now)
        after = f"; it asks to wait {wait:g}s" if wait is not None else ""
        return ToolError(f"{where} is rate limiting (429){after}", retryable=True, retry_after=wait)
    if status >= 500:
        return ToolError(f"{where} failed with {status}{said}", retryable=True)
    hint = {
        401: "; its credential is missing or expired: check SOPBOT_HTTP_AUTH and the secret",
        403: "; its credential lacks the permission: ask the service's owner",
    }.get(status, "")
    return ToolError(f"{where} refused the request with {status}{said}{hint}")


def _reason(body: bytes) -> str:
    """The server's own short reason: a JSON ``message``/``error``/``detail``, else the
    first line of its text, cut to a readable length."""
    text = body[: REASON_LENGTH * 20].decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        found = next((data[key] for key in ("message", "error", "detail") if key in data), None)
        if isinstance(found, dict):
            found = found.get("message")
        text = str(found) if found is not None else text
    line = text.splitlines()[0].strip() if text else ""
    return line if len(line) <= REASON_LENGTH else f"{line[:REASON_LENGTH]}…"


def _seconds(retry_after: str | None, now: Callable[[], dt.datetime]) -> float | None:
    """``Retry-After`` in seconds: a number, or an HTTP date counted from ``now``."""
    if not retry_after:
        return None
    text = retry_after.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - now()).total_seconds())
