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
from urllib3.exceptions import HTTPError, NewConnectionError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from bot.audit.masking import mask_logs
from bot.catalogue.builtin.http import RequestArgs, Response
from bot.catalogue.operation import Health, Operation
from bot.connectors.base import ToolError
from bot.connectors.clock_skew import clock_health
from bot.connectors.http.allowlist import ALLOW_SETTING, AUTH_SETTING, Allowlist, Base, UrlRefused
from bot.connectors.http.answers import decode, failure
from bot.connectors.http.credentials import echoed_forms
from storage import redaction

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
        self._secrets = [
            form for base in allowlist.bases if base.header for form in echoed_forms(base.header[1])
        ]
        redaction.register(self._secrets)  # as bot.secrets.remember does (that module sits above)
        mask_logs()

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

    def check(self) -> list[Health]:
        """``sopbot doctor``: each allowed base answers a GET with its credential (any
        answer but a refusal or a server error will do), and its clock is close to ours."""
        if not self.allowlist.bases:
            return [Health("http", ok=True, detail=f"no base URLs allowed ({ALLOW_SETTING})")]
        found: list[Health] = []
        for base in self.allowlist.bases:
            health, date = self._probe(base)
            found.append(health)
            skew = clock_health(f"{base.text} clock", date, self._now())
            if skew is not None:
                found.append(skew)
        return found

    def _probe(self, base: Base) -> tuple[Health, str | None]:
        """Whether ``base`` answers, and the ``Date`` it answered with."""
        headers = dict([base.header]) if base.header else {}
        try:
            response = self._pool.request(
                "GET", base.text, headers=headers, redirect=False, preload_content=False
            )
        except HTTPError as error:
            refused = isinstance(error, NewConnectionError)  # a ConnectTimeoutError too
            reason = (
                "did not answer in time"
                if isinstance(error, Urllib3Timeout) and not refused
                else f"could not be reached ({type(error).__name__})"
            )
            return Health(base.text, ok=False, detail=f"{reason}; check {ALLOW_SETTING}"), None
        response.drain_conn()
        response.release_conn()
        status, date = response.status, response.headers.get("Date")
        credential = "with its credential" if base.header else "without a credential"
        if status in {401, 403}:
            fix = f"check its entry in {AUTH_SETTING} and the secret it names"
            return Health(
                base.text, ok=False, detail=f"refused {credential} ({status}): {fix}"
            ), date
        if status >= 500:
            return Health(base.text, ok=False, detail=f"answered {status}, a server error"), date
        return Health(base.text, ok=True, detail=f"answered {status} {credential}"), date

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
