"""``/webhooks/NAME``: a delivery verified, deduplicated by its id and written to the
durable inbox before it is answered. ``jira``, ``hubspot`` and ``zendesk`` are verified the
way those vendors sign; every other name is a Standard Webhooks sender.

The answer waits only for that one small commit (on a thread pool, so a slow database holds
no other request); matching the SOPs' event triggers and starting runs happens in the
inbox's worker, so a sender is never kept waiting on a procedure and a crash after the 2xx
loses nothing. A refused delivery starts nothing and says why, in the answer and the log.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.app.inbox import event_work, record
from bot.clock.time import Clock
from handlers.http import (
    BODY_SECONDS,
    MAX_BODY_BYTES,
    BodyCutShort,
    BodyTooLarge,
    BodyTooSlow,
    Receive,
    Scope,
    Send,
    read_body,
    send_json,
)
from handlers.webhooks.secrets import (
    NAME,
    setting_for,
    unsigned_setting_for,
    unsigned_webhooks,
    webhook_secrets,
)
from handlers.webhooks.verifiers import Verifier, verifier_for
from handlers.webhooks.verifying import Delivery, Refused, Request
from storage.database import Database
from storage.outages import describe

log = logging.getLogger("sopbot.webhooks")
RECORD_THREADS = 8
"""Deliveries written down at once; each is one short transaction."""
PUBLIC_URL_SETTING = "SOPBOT_PUBLIC_URL"


class Webhooks:
    """The receiver of every configured webhook; ``close`` it with the server."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        secrets: Mapping[str, str],
        *,
        after_record: Callable[[], None] = lambda: None,
        max_body: int = MAX_BODY_BYTES,
        body_seconds: float = BODY_SECONDS,
        public_url: str | None = None,
        unsigned: Collection[str] = (),
    ) -> None:
        """``secrets``: each webhook's signing secret by name; ``after_record`` runs once a
        new delivery is recorded (the process wakes its worker there); ``public_url``: where
        senders reach this server (HubSpot signs the URL); ``unsigned``: webhooks that take
        deliveries without a secret (the operator's explicit choice)."""
        self._database = database
        self._clock = clock
        self._secrets = dict(secrets)
        self._after_record = after_record
        self._max_body = max_body
        self._body_seconds = body_seconds
        self._public_url = public_url.rstrip("/") if public_url else None
        self._unsigned = frozenset(unsigned)
        self._pool = ThreadPoolExecutor(max_workers=RECORD_THREADS, thread_name_prefix="webhook")
        for name in sorted(self._unsigned - self._secrets.keys()):
            log.warning(
                "webhook %r takes UNSIGNED deliveries (%s=allow): anyone who can reach "
                "/webhooks/%s can start the procedures that listen to it; set %s instead",
                name,
                unsigned_setting_for(name),
                name,
                setting_for(name),
            )

    @classmethod
    def from_environment(
        cls, database: Database, clock: Clock, *, after_record: Callable[[], None] = lambda: None
    ) -> Webhooks:
        """The webhooks configured by ``SOPBOT_WEBHOOK_<NAME>_SECRET`` variables, the ones
        opened to unsigned deliveries, and ``SOPBOT_PUBLIC_URL``."""
        return cls(
            database,
            clock,
            webhook_secrets(os.environ),
            after_record=after_record,
            public_url=os.environ.get(PUBLIC_URL_SETTING) or None,
            unsigned=unsigned_webhooks(os.environ),
        )

    async def __call__(self, name: str, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            status, answer = await self._receive(name, scope, receive)
        except Refused as refusal:
            log.warning("webhook %r refused (%d): %s", name, refusal.status, refusal.reason)
            await send_json(send, refusal.status, {"ok": False, "error": refusal.reason})
            return
        await send_json(send, status, answer)

    def close(self) -> None:
        """Let the deliveries in hand be recorded, then end the threads."""
        self._pool.shutdown(wait=True)

    async def _receive(
        self, name: str, scope: Scope, receive: Receive
    ) -> tuple[int, dict[str, Any]]:
        if scope["method"] != "POST":
            raise Refused(405, "webhooks are delivered with POST")
        secret, verify = self._verifier(name)
        try:
            body = await read_body(scope, receive, self._max_body, seconds=self._body_seconds)
        except BodyTooLarge:
            raise Refused(413, f"body over {self._max_body} bytes refused") from None
        except BodyTooSlow:
            raise Refused(
                408, f"the body took over {self._body_seconds:g} s to arrive: nothing taken"
            ) from None
        except BodyCutShort:
            raise Refused(400, "the sender hung up before the body ended: nothing taken") from None
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope.get("headers", ())
        }
        request = Request(
            method=scope["method"],
            uri=self._uri(scope, headers),
            headers=headers,
            body=body,
            now=self._clock.now(),
            setting=setting_for(name),
            secret=secret,
        )
        deliveries = verify(request)
        loop = asyncio.get_running_loop()
        try:
            recorded = await loop.run_in_executor(self._pool, self._record, name, deliveries)
        except Exception as error:
            log.exception("webhook %r delivery %s not recorded", name, deliveries[0].id)
            raise Refused(
                503, f"the delivery could not be recorded ({describe(error)}); send it again"
            ) from None
        if not recorded:
            log.info("webhook %r delivery %s seen before: nothing to do", name, deliveries[0].id)
            return 200, {"ok": True, "duplicate": True}
        self._after_record()
        return 202, {"ok": True}

    def _verifier(self, name: str) -> tuple[str | None, Verifier]:
        """The webhook's secret (None: unsigned, as the operator allowed) and verifier."""
        if not NAME.match(name):
            raise Refused(
                404,
                f"no webhook named {name!r}: names are lower-case letters, digits and _ "
                "(32 at most), starting with a letter",
            )
        secret = self._secrets.get(name)
        if secret is None and name not in self._unsigned:
            raise Refused(
                404,
                f"no webhook named {name!r}: the operator must set {setting_for(name)} "
                "to the sender's signing secret (docs/connecting-tools.md, 'Inbound webhooks')",
            )
        return secret, verifier_for(name)

    def _uri(self, scope: Scope, headers: Mapping[str, str]) -> str:
        """The URL the sender posted to: ``public_url`` when set, else the one the
        ``Host`` and a proxy's ``X-Forwarded-Proto``/``-Host`` headers describe."""
        raw: bytes = scope.get("raw_path") or scope["path"].encode()
        query: bytes = scope.get("query_string", b"")
        target = raw.decode("latin-1") + (f"?{query.decode('latin-1')}" if query else "")
        if self._public_url:
            return self._public_url + target
        scheme: str = headers.get("x-forwarded-proto") or scope.get("scheme", "http")
        host = headers.get("x-forwarded-host") or headers.get("host", "")
        return f"{scheme.split(',')[0].strip()}://{host.split(',')[0].strip()}{target}"

    def _record(self, name: str, deliveries: list[Delivery]) -> int:
        """Write each event to the inbox; how many were new (an id seen before is skipped)."""
        now, new = self._clock.now(), 0
        for delivery in deliveries:
            digest = hashlib.sha256(f"{name}\n{delivery.id}".encode()).hexdigest()
            if record(
                self._database,
                key=f"webhook:{digest}",
                source="webhook",
                work=event_work(name, delivery.type, delivery.data),
                now=now,
            ):
                new += 1
                log.info("webhook %r delivery %s (%s) recorded", name, delivery.id, delivery.type)
        return new
