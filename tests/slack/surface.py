"""sopbot's Slack surface as a test drives it: the real engine on the ``database`` fixture
with a manual clock, the Slack adapter on the fake Web API, the Bolt app from
``handlers.slack.app.build_app`` served over loopback HTTP (Bolt's WSGI adapter in a
threaded werkzeug server on an ephemeral port), and a signed Slack client for it."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import func, select
from werkzeug.serving import make_server

from bot.adapters.slack.directory import SlackDirectory
from bot.app.door import FrontDoor
from bot.app.inbox import INBOUND, register_inbox
from bot.chat.port import SurfacePort
from bot.clock.time import ManualClock
from bot.config import Settings
from bot.engine.engine import Engine
from bot.harness import DEFAULT_START
from bot.procedure.loader import load_text
from bot.wiring import assemble
from handlers.slack.app import build_app
from storage import runs
from storage.database import Database
from storage.models import AuditEvent, Run, SandboxCall, Timer
from tests.slack.fake_web_api import FakeSlack
from tests.slack.signed import SignedSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
REFUND = Path(__file__).parents[2] / "sops" / "refund-request.yml"


@dataclass
class Surface:
    """What a test looks at and moves."""

    engine: Engine
    door: FrontDoor
    clock: ManualClock
    slack: FakeSlack
    sender: SignedSlack

    def work(self) -> int:
        """Let the worker do everything due (recorded requests, runs, deliveries)."""
        return self.engine.run_due()

    def runs(self) -> list[Run]:
        with self.engine.runtime.database.session() as session:
            return list(session.scalars(select(Run).order_by(Run.created_at)))

    def run(self, run_id: str) -> Run:
        with self.engine.runtime.database.session() as session:
            found = runs.get_run(session, run_id)
        assert found is not None
        return found

    def recorded(self) -> int:
        """Requests written to the inbox so far (done or not)."""
        with self.engine.runtime.database.session() as session:
            query = select(func.count()).select_from(Timer).where(Timer.kind == INBOUND)
            return int(session.scalar(query) or 0)

    def audit(self, action: str) -> list[AuditEvent]:
        with self.engine.runtime.database.session() as session:
            query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            return list(session.scalars(query))

    def tool_calls(self, operation: str) -> list[SandboxCall]:
        with self.engine.runtime.database.session() as session:
            query = select(SandboxCall).where(SandboxCall.operation == operation)
            return list(session.scalars(query))

    def whispers(self, user: str) -> list[str]:
        """The ephemeral messages Slack was asked to show ``user``."""
        return [
            str(args.get("text", "")) for args in self.slack.ephemeral if args.get("user") == user
        ]

    def cards(self, channel: str, action_id: str) -> list[dict[str, Any]]:
        """Messages in ``channel`` carrying a button ``action_id``, oldest first."""
        return [
            copy.deepcopy(message)  # as the person's Slack showed it then
            for message in self.slack.posted(channel)
            if any(
                element.get("action_id") == action_id
                for block in message.get("blocks", [])
                if block.get("type") == "actions"
                for element in block.get("elements", [])
            )
        ]


@contextmanager
def serving(
    database: Database,
    slack: FakeSlack,
    client: WebClient,
    directory: SlackDirectory,
    chat: SurfacePort,
    *,
    more_sops: tuple[str, ...] = (),
) -> Iterator[Surface]:
    """The whole surface on the refund SOP (and ``more_sops``, YAML texts), until the block
    ends."""
    slack.add_user("U04LEE", "lee", display_name="Lee")
    slack.add_group("S02SUPPORTLEADS", "support-leads", ["U04LEE"])
    loaded = load_text(REFUND.read_text(), str(REFUND))
    extra = [load_text(text, f"sops/more-{n}.yml") for n, text in enumerate(more_sops)]
    settings = Settings.model_construct(
        worker_id="slack-test", slack_signing_secret=SecretStr(SECRET)
    )
    clock = ManualClock(DEFAULT_START)
    sopbot = assemble(
        settings,
        clock=clock,
        chat=lambda _database, _directory: chat,
        database=database,
        procedures=[loaded, *extra],
        schedules=False,
        directory=directory,
    )
    door = FrontDoor(sopbot.engine, directory, chat)
    register_inbox(sopbot.engine, door)
    app = build_app(door, settings=settings, client=client, directory=directory)
    server = make_server("127.0.0.1", 0, SlackRequestHandler(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/slack/events"
        yield Surface(sopbot.engine, door, clock, slack, SignedSlack(url, SECRET))
    finally:
        server.shutdown()
        thread.join(timeout=5)
        sopbot.engine.runtime.pool.shutdown(wait=True)
