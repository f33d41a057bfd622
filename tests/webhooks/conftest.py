"""The webhook receiver as ``sopbot serve`` runs it: ``SopbotAsgi`` under uvicorn on a
loopback port, the real engine and inbox worker on the ``database`` fixture with a manual
clock, serving the guide's webhook SOPs, and a sender that signs with the
``standardwebhooks`` package (the vendors' senders are in their own test files)."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest.mock import patch

import pytest
import requests
import uvicorn
from slack_bolt import App
from sqlalchemy import func, select
from standardwebhooks import Webhook

from bot.app.door import FrontDoor
from bot.app.inbox import INBOUND, register_inbox
from bot.harness import Harness
from bot.procedure.loader import load_text
from handlers.http import SopbotAsgi
from handlers.webhooks.receiver import Webhooks
from storage.database import Database
from storage.models import InboundKey, Run, Timer
from tests.docs.connecting_guide import guide_files
from tests.doctor.conftest import doctor, migrated_url  # noqa: F401 (test_doctor.py's sopbot doctor)
from tests.slack.conftest import slack, web_api_server  # noqa: F401 (test_serve.py's fake Slack)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VENDOR_SECRETS = {
    "jira": "jira-webhook-secret-7f3a91",
    "hubspot": "0b5e2f5c-hubspot-client-secret",
    "zendesk": "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==",
}
GUIDE_SOPS = (
    "sops/order-refund.yml",
    "sops/jira-product-bug.yml",
    "sops/hubspot-ticket-escalation.yml",
    "sops/zendesk-vip-ticket.yml",
)
"""The guide's examples (docs/connecting-tools.md, 'Inbound webhooks'), so they stay
runnable."""
ORDER_REFUND = guide_files()["sops/order-refund.yml"]


@dataclass
class Sender:
    """A Standard Webhooks sender posting to one receiver URL."""

    url: str
    secret: str = SECRET
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    """The sender's clock: the receiver's (test) clock, or wall time for a real process."""

    def signed(
        self,
        body: bytes,
        *,
        id: str = "msg_1",
        at: dt.datetime | None = None,
    ) -> dict[str, str]:
        """The three headers for ``body``, signed with the sender's secret at ``at``."""
        at = at or self.now()
        signature = Webhook(self.secret).sign(id, at, body.decode())
        return {
            "webhook-id": id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signature,
            "content-type": "application/json",
        }

    def post(self, body: bytes, headers: dict[str, str]) -> requests.Response:
        return requests.post(self.url, data=body, headers=headers, timeout=30)

    def deliver(self, payload: dict[str, Any], *, id: str = "msg_1") -> requests.Response:
        body = json.dumps(payload).encode()
        return self.post(body, self.signed(body, id=id))


@dataclass
class Receiver:
    """What a test looks at: the runs, the recorded deliveries, the worker and the clock."""

    harness: Harness
    base: str

    def sender(self, name: str = "orders") -> Sender:
        return Sender(f"{self.base}/webhooks/{name}", now=self.harness.clock.now)

    def now(self) -> dt.datetime:
        return self.harness.clock.now()

    def work(self) -> int:
        """Let the worker do everything due (recorded deliveries, then runs)."""
        return self.harness.engine.run_due()

    def runs(self) -> list[Run]:
        with self.harness.database.session() as session:
            return list(session.scalars(select(Run).order_by(Run.created_at)))

    def recorded(self) -> int:
        """Deliveries written down: their keys and their inbox timers."""
        with self.harness.database.session() as session:
            keys = session.scalar(
                select(func.count()).select_from(InboundKey).where(InboundKey.source == "webhook")
            )
            inbox = session.scalar(
                select(func.count()).select_from(Timer).where(Timer.kind == INBOUND)
            )
        assert keys == inbox
        return int(keys or 0)


DEFAULT_ENVIRONMENT = {
    f"SOPBOT_WEBHOOK_{name.upper()}_SECRET": secret
    for name, secret in {"orders": SECRET, **VENDOR_SECRETS}.items()
}
"""The orders' and the three vendors' secrets, as an operator sets them."""


@contextmanager
def serving(database: Database, environment: Mapping[str, str] | None = None) -> Iterator[Receiver]:
    """The guide's webhook SOPs served over loopback HTTP, the webhooks configured from
    ``environment`` (only it: the shell's own variables never count) as ``sopbot serve``
    reads it."""
    loaded = [load_text(guide_files()[name], name) for name in GUIDE_SOPS]
    for sop in loaded:
        assert not sop.diagnostics, [d.render() for d in sop.diagnostics]
    harness = Harness.open(database, loaded)
    register_inbox(harness.engine, FrontDoor(harness.engine, harness.directory, harness.chat))
    chosen = DEFAULT_ENVIRONMENT if environment is None else environment
    with patch.dict(os.environ, {**chosen, "SOPBOT_OTHER": "x"}, clear=True):
        webhooks = Webhooks.from_environment(database, harness.clock)
    bolt = App(token="xoxb-unused", signing_secret="unused", token_verification_enabled=False)
    asgi = SopbotAsgi(bolt, lambda: None, webhooks=webhooks)
    listening = socket.create_server(("127.0.0.1", 0))  # listening now: no wait for uvicorn
    config = uvicorn.Config(asgi, lifespan="off", log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    try:
        yield Receiver(harness, f"http://127.0.0.1:{listening.getsockname()[1]}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        asgi.close()
        webhooks.close()
        listening.close()
        harness.close()


@pytest.fixture
def receiver(database: Database) -> Iterator[Receiver]:
    with serving(database) as served:
        yield served
