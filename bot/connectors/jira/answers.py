"""Jira's answers read with a size cap: a body past ``MAX_ANSWER_BYTES`` (a proxy's file, a
runaway search) is refused while it streams in, never held whole in memory. A refusal's
body (4xx, 5xx) past the cap is dropped instead: its status still says what went wrong
(a 500 stays worth retrying, a 401 still names the login). A refusal is raised as soon as
it is read, its body left for ``faults.reason_of``."""

from __future__ import annotations

from typing import Any

from jira.exceptions import JIRAError
from requests import Response
from requests.exceptions import RequestException

MAX_ANSWER_BYTES = 8 * 1024 * 1024
"""Far above any answer sopbot asks for (an issue's few fields, a page of 100 issues)."""
_CHUNK = 64 * 1024


class AnswerTooLarge(RequestException):
    """Jira (or what answers at its URL) sent more than ``MAX_ANSWER_BYTES``."""


def read_capped(response: Response, *_args: Any, **_kwargs: Any) -> Response:
    """A ``requests`` response hook: it runs before the body is read, so the body is read
    here, chunk by chunk, and the connection dropped as soon as it passes the cap."""
    declared = (response.headers.get("Content-Length") or "").strip()
    body = bytearray()
    if not (declared.isdigit() and int(declared) > MAX_ANSWER_BYTES):
        for chunk in response.iter_content(_CHUNK):
            body += chunk
            if len(body) > MAX_ANSWER_BYTES:
                break
        else:
            response._content = bytes(body)
            return response
    response.close()
    if response.status_code >= 400:
        response._content = b""
        return response
    raise AnswerTooLarge(f"more than {MAX_ANSWER_BYTES:,} bytes", response=response)


def raise_refusal(response: Response, *_args: Any, **_kwargs: Any) -> Response:
    """A ``requests`` response hook, after ``read_capped``: a refusal is the client's
    ``JIRAError`` at once. The client would read the body first, and fails with a
    ``TypeError`` of its own on one that is not Jira's error object (``null``,
    ``{"errorMessages": 5}``), which could not be told from a bug of sopbot's."""
    if not response.ok:
        raise JIRAError(status_code=response.status_code, url=response.url, response=response)
    return response
