"""sopbot connected to the fake Slack Web API (``tests/slack``): the real engine with the
Slack surface's chat, so the ``slack.*`` operations take the live connector."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.adapters.slack.directory import SlackDirectory
from bot.clock.time import ManualClock
from bot.config import Settings
from bot.engine.engine import Engine
from bot.harness import DEFAULT_START
from bot.procedure.loader import load_text
from bot.wiring import assemble
from storage import runs
from storage.database import Database
from storage.models import AuditEvent, Run
from tests.slack.conftest import (  # noqa: F401  (the fake Slack's fixtures)
    MakeChat,
    client,
    directory,
    make_chat,
    slack,
    ticks,
    web_api_server,
)
from tests.slack.fake_web_api import FakeSlack

TOKEN = "xoxb-test-token"
"""The bot token of the ``client`` fixture, the one the fake Slack receives."""
NOTIFY = """\
id: notify
title: Notify support
owner: U01MARIA
version: 1
review: {every: 365d, last_reviewed: 2026-11-01}
mode: autonomous
trigger: {command: notify}
inputs:
  ticket: {type: string}
permissions:
  allow: [slack.post, slack.dm]
escalation:
  to: [U03SAM]
steps:
  - id: tell
    action: slack.post
    with: {channel: "#support", text: "Ticket {{ inputs.ticket }} needs a look"}
    idempotency_key: "tell-{{ inputs.ticket }}"
    on_failure:
      retry: {attempts: 3, backoff: 10s}
      then: escalate
      reason: "Could not tell #support about {{ inputs.ticket }}"
  - id: ping
    action: slack.dm
    with: {user: U01MARIA, text: "You are on {{ inputs.ticket }}"}
    on_failure: {then: escalate}
  - id: done
    end: completed
"""


@dataclass
class Live:
    """A sopbot process with Slack connected, and a clock that moves only when told."""

    engine: Engine
    clock: ManualClock

    def start(self, inputs: dict[str, Any], name: str = "notify") -> Run:
        """Start a run as someone in #support would, and do what is due at once."""
        run = self.engine.start(
            name, inputs, started_by="U02DEV", thread={"to": "C02SUPPORT"}, interactive=False
        )
        self.engine.run_due()
        return self.run(run.id)

    def advance(self, delta: dt.timedelta) -> None:
        self.clock.advance(delta)
        self.engine.run_due()

    def run(self, run_id: str) -> Run:
        with self.engine.runtime.database.session() as session:
            found = runs.get_run(session, run_id)
        assert found is not None
        return found

    def audit(self) -> list[AuditEvent]:
        with self.engine.runtime.database.session() as session:
            return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


Open = Callable[..., Live]


@pytest.fixture
def open_sopbot(
    database: Database,
    slack: FakeSlack,  # noqa: F811
    make_chat: MakeChat,  # noqa: F811
    directory: SlackDirectory,  # noqa: F811
) -> Iterator[Open]:
    """``open_sopbot(*sops, connector=…)``: sopbot with Slack connected (its bot token set),
    serving ``sops`` (YAML texts; the notify SOP by default)."""
    opened: list[Live] = []

    def open_one(*sops: str, connector: dict[str, str] | None = None) -> Live:
        texts = sops or (NOTIFY,)
        loaded = [load_text(text, f"sops/live-{n}.yml") for n, text in enumerate(texts)]
        for sop in loaded:
            assert not sop.diagnostics, [d.render() for d in sop.diagnostics]
        settings = Settings.model_construct(
            worker_id="slack-actions",
            slack_bot_token=SecretStr(TOKEN),
            connector=connector or {},
        )
        clock = ManualClock(DEFAULT_START)
        sopbot = assemble(
            settings,
            clock=clock,
            chat=lambda _database, _people: make_chat(),
            database=database,
            procedures=loaded,
            schedules=False,
            directory=directory,
        )
        opened.append(Live(sopbot.engine, clock))
        return opened[-1]

    yield open_one
    for live in opened:
        live.engine.runtime.pool.shutdown(wait=True)
