"""The live ``http.request``: calls only allowed bases, with their configured credential,
within a timeout and a response size cap, following redirects only while they stay on the
allowlist."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import urllib3
from urllib3.exceptions import HTTPError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from bot.catalogue.builtin.http import RequestArgs, Response
from bot.catalogue.operation import Operation
from bot.connectors.base import ToolError
from bot.connectors.http.allowlist import Allowlist, UrlRefused
from bot.connectors.http.answers import decode, failure

REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
CHUNK = 64 * 1024


class HttpConnector:
    """Performs ``http.request``; a fresh connection pool per connector, no retries of its
    own (the SOP's retry rule decides), no proxy from the environment."""

    def __init__(
        self,
        allowlist: Allowlist,
        *,
        timeout: float,
        max_bytes: int,
        now: Callable[[], dt.datetime],
    ) -> None:
        self.allowlist = allowlist
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._now = now
        self._pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(timeout))
        self._secrets = [base.header[1] for base in allowlist.bases if base.header]

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> Any:
        """One request; redirects on the allowlist followed, the answer as ``Response``."""
        args = RequestArgs.model_validate(arguments)
        method, url, body = args.method, args.url, args.json_body
        for _ in range(MAX_REDIRECTS + 1):
            status, location, answer = self._once(method, url, body, args.headers, idempotency_key)
            if location is None:
                return answer
            url = urljoin(url, location)
            if status == 303 or (status in {301, 302} and method == "POST"):
                method, body = "GET", None
        raise ToolError(f"{args.url} redirected more than {MAX_REDIRECTS} times; check the URL")

    def _once(
        self,
        method: str,
        text: str,
        body: Any,
        extra: dict[str, str],
        idempotency_key: str | None,
    ) -> tuple[int, str | None, Any]:
        """One hop: (status, redirect location or None, the result when not redirected)."""
        try:
            url, base = self.allowlist.base_of(text)
        except UrlRefused as error:
            raise ToolError(f"sopbot did not call it: {error}") from None
        where = f"{url.scheme}://{url.netloc}{url.path or '/'}"
        headers = {"Accept": "application/json, text/*;q=0.9", **extra}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        if base.header is not None:
            headers[base.header[0]] = base.header[1]
        deadline = time.monotonic() + self.timeout
        try:
            response = self._pool.request(
                method,
                url.url,
                json=body,
                headers=headers,
                redirect=False,
                preload_content=False,
            )
            try:
                status = response.status
                location = response.headers.get("Location")
                if status in REDIRECTS and location:
                    return status, location, None
                content = self._read(response, where, deadline)
            finally:
                response.close()  # a body refused half read must not be reused
                response.release_conn()
        except Urllib3Timeout:
            raise ToolError(
                f"{where} did not answer within {self.timeout:g}s", retryable=True
            ) from None
        except SSLError as error:
            raise ToolError(f"{where}: the TLS connection failed ({error})") from None
        except HTTPError as error:
            raise ToolError(
                f"{where} could not be reached ({type(error).__name__})", retryable=True
            ) from None
        if status >= 400:
            raise self._masked(
                failure(status, content, response.headers.get("Retry-After"), where, self._now)
            )
        result = decode(content, response.headers.get("Content-Type", ""), where)
        return status, None, Response(status=status, body=result).model_dump()

    def _read(self, response: urllib3.BaseHTTPResponse, where: str, deadline: float) -> bytes:
        """The body, refused unread when it declares more than the cap, and refused as soon
        as it passes the cap or the timeout while streaming."""
        declared = response.headers.get("Content-Length", "")
        too_big = ToolError(
            f"{where} answered more than {self.max_bytes:,} bytes, sopbot's cap "
            f"(SOPBOT_HTTP_MAX_BYTES); ask for less (a page, a filter) or raise the cap"
        )
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_big
        content = bytearray()
        for chunk in response.stream(CHUNK):
            content += chunk
            if len(content) > self.max_bytes:
                raise too_big
            if time.monotonic() > deadline:
                raise Urllib3Timeout()
        return bytes(content)

    def _masked(self, error: ToolError) -> ToolError:
        """``error`` with any configured credential it echoes replaced by ``••••``."""
        message = str(error)
        for secret in self._secrets:
            message = message.replace(secret, "••••")
        return ToolError(message, retryable=error.retryable, retry_after=error.retry_after)
