"""What went wrong with a Jira request, as one line a person can act on.

Jira explains a refusal in JSON: ``errorMessages`` (about the request) and ``errors`` (by
field id). Both are read here, field ids shown with the name Jira shows, and the status
decides the rest: 401 is the login to check (naming the variables), 403 a permission, 404 a
missing project or issue, 429 and 5xx and timeouts are worth retrying (429 after its
Retry-After). ``str()`` of the client's own ``JIRAError`` lists the request headers, the
credential among them, so it is never used.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from jira.exceptions import JIRAError
from requests import Response
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import RequestException, SSLError, Timeout

from bot.connectors.base import ToolError
from bot.connectors.jira.answers import MAX_ANSWER_BYTES, AnswerTooLarge
from bot.connectors.jira.replies import WrongShape
from bot.connectors.jira.settings import JiraConfig

log = logging.getLogger("sopbot.connectors.jira")
REASON_LENGTH = 300
FAULTS = (JIRAError, RequestException, json.JSONDecodeError, WrongShape)
"""What a request that failed raises (``json.JSONDecodeError``: a broken answer; requests'
own is a subclass), and what reading an answer of the wrong shape raises (``replies``).
Nothing else: an ``AttributeError`` or ``KeyError`` is a bug of sopbot's, not Jira's."""


def tool_error(
    error: Exception,
    config: JiraConfig,
    doing: str,
    missing: str,
    field_name: Callable[[str], str] = str,
) -> ToolError:
    """``error`` raised while sopbot was ``doing`` something ("creating an issue in BUG");
    ``missing`` is what a 404 means ("issue BUG-7"); ``field_name`` shows a field id as
    people know it."""
    return _masked(_classify(error, config, doing, missing, field_name), config)


def _classify(
    error: Exception,
    config: JiraConfig,
    doing: str,
    missing: str,
    field_name: Callable[[str], str],
) -> ToolError:
    if isinstance(error, Timeout):
        return ToolError(
            f"Jira did not answer within {config.timeout:g}s while {doing}", retryable=True
        )
    if isinstance(error, AnswerTooLarge):
        return ToolError(
            f"Jira answered more than {MAX_ANSWER_BYTES:,} bytes while {doing}: something "
            "between sopbot and Jira (a proxy, a file server) is answering instead, or the "
            "request asks for too much"
        )
    if isinstance(error, SSLError):
        return ToolError(
            f"the TLS connection to Jira at {config.url} failed: check SOPBOT_JIRA_URL (https "
            "to a server that speaks it), or trust its CA with REQUESTS_CA_BUNDLE"
        )
    if isinstance(error, RequestsConnectionError):
        return ToolError(
            f"cannot reach Jira at {config.url} ({type(error).__name__}): check "
            "SOPBOT_JIRA_URL and the network",
            retryable=True,
        )
    if isinstance(error, json.JSONDecodeError):
        return ToolError(
            f"Jira answered broken JSON while {doing} ({error.msg} at character {error.pos}): "
            "something between sopbot and Jira (a proxy, a login page) is answering instead"
        )
    if isinstance(error, JIRAError) and error.status_code is not None and error.status_code >= 400:
        return _refusal(error.status_code, error.response, config, doing, missing, field_name)
    if isinstance(error, WrongShape):
        log.warning("Jira's answer while %s was not what its API promises: %s", doing, error)
    return ToolError(
        f"Jira's answer was not what its API promises while {doing} (wrong shape): is "
        "SOPBOT_JIRA_URL the site's base URL, with nothing (a proxy, a login) in between?"
    )


def _refusal(
    status: int,
    response: Response | None,
    config: JiraConfig,
    doing: str,
    missing: str,
    field_name: Callable[[str], str],
) -> ToolError:
    reason = reason_of(response, field_name) if response is not None else ""
    code = f"{status}: {reason}" if reason else str(status)
    if status == 401:
        return ToolError(
            f"Jira at {config.url} refused sopbot's login ({code}): check {config.credentials}"
        )
    if status == 403:
        return ToolError(
            f"Jira refused {doing} for lack of permission ({code}): grant it to the account "
            "sopbot logs in as, or change the step"
        )
    if status == 404:
        return ToolError(f"Jira has no {missing}, or sopbot's account cannot see it ({code})")
    if status == 429:
        wait = _retry_after(response)
        after = f"; it asks to wait {wait:g}s" if wait is not None else ""
        return ToolError(
            f"Jira is rate limiting sopbot (429){after}", retryable=True, retry_after=wait
        )
    if status >= 500:
        return ToolError(f"Jira failed while {doing} ({code})", retryable=True)
    return ToolError(f"Jira refused {doing} ({code})")


def reason_of(response: Response, field_name: Callable[[str], str] = str) -> str:
    """Jira's own words: its ``errorMessages``, then each field's error named by the field,
    in one line; else the first line of a text answer (an HTML page says nothing)."""
    try:
        data: Any = response.json()
    except ValueError:
        text = response.text.strip()
        line = "" if text.startswith("<") else (text.splitlines() or [""])[0]
        return _cut(line.rstrip("."))
    if not isinstance(data, dict):
        return ""
    messages = data.get("errorMessages")
    parts = [str(message) for message in messages] if isinstance(messages, list) else []
    errors = data.get("errors")
    if isinstance(errors, dict):
        parts.extend(f"{field_name(str(field))}: {message}" for field, message in errors.items())
    if not parts and data.get("message"):
        parts.append(str(data["message"]))
    return _cut("; ".join(" ".join(part.split()) for part in parts).rstrip("."))


def _cut(text: str) -> str:
    return text if len(text) <= REASON_LENGTH else f"{text[:REASON_LENGTH]}…"


def _retry_after(response: Response | None) -> float | None:
    """Jira's ``Retry-After``: whole seconds."""
    value = (response.headers.get("Retry-After") or "").strip() if response is not None else ""
    return float(value) if value.isdigit() else None


def _masked(error: ToolError, config: JiraConfig) -> ToolError:
    """``error`` with the credential replaced by ``••••``, should Jira echo it."""
    message = str(error)
    for secret in config.secrets:
        message = message.replace(secret, "••••")
    return ToolError(message, retryable=error.retryable, retry_after=error.retry_after)
