"""``/webhooks/NAME``: a Standard Webhooks delivery verified, deduplicated by its
``webhook-id`` and written to the durable inbox before it is answered.

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
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.app.inbox import event_work, record
from bot.clock.time import Clock
from handlers.http import MAX_BODY_BYTES, BodyTooLarge, Receive, Scope, Send, read_body, send_json
from handlers.webhooks.secrets import NAME, setting_for, webhook_secrets
from handlers.webhooks.standard import Delivery, Refused, verify
from storage.database import Database
from storage.outages import describe

log = logging.getLogger("sopbot.webhooks")
RECORD_THREADS = 8
"""Deliveries written down at once; each is one short transaction."""


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
    ) -> None:
        """``secrets``: each webhook's signing secret by name; ``after_record`` runs once a
        new delivery is recorded (the process wakes its worker there)."""
        self._database = database
        self._clock = clock
        self._secrets = dict(secrets)
        self._after_record = after_record
        self._max_body = max_body
        self._pool = ThreadPoolExecutor(max_workers=RECORD_THREADS, thread_name_prefix="webhook")

    @classmethod
    def from_environment(
        cls, database: Database, clock: Clock, *, after_record: Callable[[], None] = lambda: None
    ) -> Webhooks:
        """The webhooks configured by ``SOPBOT_WEBHOOK_<NAME>_SECRET`` variables."""
        return cls(database, clock, webhook_secrets(os.environ), after_record=after_record)

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
        secret = self._secret(name)
        try:
            body = await read_body(scope, receive, self._max_body)
        except BodyTooLarge:
            raise Refused(413, f"body over {self._max_body} bytes refused") from None
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope.get("headers", ())
        }
        delivery = verify(secret, setting_for(name), body, headers)
        loop = asyncio.get_running_loop()
        try:
            recorded = await loop.run_in_executor(self._pool, self._record, name, delivery)
        except Exception as error:
            log.exception("webhook %r delivery %s not recorded", name, delivery.id)
            raise Refused(
                503, f"the delivery could not be recorded ({describe(error)}); send it again"
            ) from None
        if not recorded:
            log.info("webhook %r delivery %s seen before: nothing to do", name, delivery.id)
            return 200, {"ok": True, "duplicate": True}
        log.info("webhook %r delivery %s (%s) recorded", name, delivery.id, delivery.type)
        self._after_record()
        return 202, {"ok": True}

    def _secret(self, name: str) -> str:
        if not NAME.match(name):
            raise Refused(
                404,
                f"no webhook named {name!r}: names are lower-case letters, digits and _ "
                "(32 at most), starting with a letter",
            )
        secret = self._secrets.get(name)
        if secret is None:
            raise Refused(
                404,
                f"no webhook named {name!r}: the operator must set {setting_for(name)} "
                "to the sender's signing secret (docs/connecting-tools.md, 'Inbound webhooks')",
            )
        return secret

    def _record(self, name: str, delivery: Delivery) -> bool:
        """Write the delivery to the inbox; False when its id was seen before."""
        digest = hashlib.sha256(f"{name}\n{delivery.id}".encode()).hexdigest()
        return record(
            self._database,
            key=f"webhook:{digest}",
            source="webhook",
            work=event_work(name, delivery.type, delivery.data),
            now=self._clock.now(),
        )
