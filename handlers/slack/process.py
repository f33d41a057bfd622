"""The Slack-facing process, built once for both ways Slack reaches sopbot (HTTP mode and
Socket Mode): the composition root with Slack's chat and directory, the front door, the Bolt
app and its durable inbox, and a worker inside the process.

Listeners only record work and ack; the worker does it. A recorded request rings the
worker's doorbell, so a ``/sop run`` starts at once instead of at the next sweep; due
timers wake it through the APScheduler waker, and the sweep picks up work that other
processes recorded. ``sopbot worker`` processes add capacity beside it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.adapters.slack.calls import Retrying, SlackRefused, SlackUnavailable
from bot.adapters.slack.chat import SlackChat
from bot.adapters.slack.client import web_client
from bot.adapters.slack.directory import SlackDirectory
from bot.app.door import FrontDoor
from bot.app.inbox import register_inbox
from bot.clock.time import Clock, SystemClock
from bot.clock.waker import Waker
from bot.config import Settings
from bot.engine.engine import Engine
from bot.wiring import Sopbot, assemble
from handlers.slack.app import build_app
from storage import timers
from storage.database import Database

log = logging.getLogger("sopbot.slack")
SWEEP_SECONDS = 1.0
"""How soon work another process recorded (a second server, a CLI) is picked up here."""
BATCH = 5
"""Timers claimed at once by the in-process worker."""


class SlackSettingProblem(ValueError):
    """A Slack setting a mode needs is missing or refused by Slack; the message names it."""


WHERE = {
    "SLACK_BOT_TOKEN": "the bot token (xoxb-…): OAuth & Permissions → Bot User OAuth Token",
    "SLACK_SIGNING_SECRET": "Basic Information → App Credentials → Signing Secret",
    "SLACK_APP_TOKEN": "an app-level token (xapp-…) with connections:write: "
    "Basic Information → App-Level Tokens",
}


def require(settings: Settings, *names: str) -> None:
    """``SlackSettingProblem`` for the first of ``names`` (Slack's variable names) not set."""
    for name in names:
        if getattr(settings, name.lower()) is None:
            raise SlackSettingProblem(f"{name} is not set: {WHERE[name]}")


def check_token(client: WebClient) -> None:
    """Ask Slack about the bot token, so a wrong one is one line at start instead of every
    post failing later."""
    try:
        Retrying().call("auth.test", client.auth_test)
    except (SlackRefused, SlackUnavailable) as error:
        raise SlackSettingProblem(f"SLACK_BOT_TOKEN: {error}") from None


@dataclass
class SlackProcess:
    """A running sopbot that Slack talks to; ``start`` its worker, ``close`` it at the end."""

    sopbot: Sopbot
    door: FrontDoor
    bolt: App
    client: WebClient
    worker: InProcessWorker

    @property
    def database(self) -> Database:
        return self.sopbot.database

    def start(self) -> None:
        self.worker.start()

    def close(self) -> None:
        """Stop the worker after the timers in hand, then close the database."""
        self.worker.stop()
        self.sopbot.runtime.close()


def slack_people_and_chat(settings: Settings) -> tuple[WebClient, SlackDirectory, SlackChat]:
    """Slack's Web API client (its token checked), its people and its chat: what any sopbot
    process that talks to Slack needs, the serving one and ``sopbot worker`` alike."""
    require(settings, "SLACK_BOT_TOKEN")
    assert settings.slack_bot_token is not None
    client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    check_token(client)
    directory = SlackDirectory(client)
    return client, directory, SlackChat(client, directory)


def open_slack_process(settings: Settings, *, clock: Clock | None = None) -> SlackProcess:
    """The Slack-facing sopbot on ``settings`` (a bot token is required). Raises as
    ``bot.wiring.assemble`` does for settings, connectors and the database."""
    clock = clock or SystemClock()
    client, directory, chat = slack_people_and_chat(settings)
    sopbot = assemble(
        settings, clock=clock, chat=lambda _database, _people: chat, directory=directory
    )
    try:
        door = FrontDoor(sopbot.engine, directory, chat)
        register_inbox(sopbot.engine, door)
        bolt = build_app(door, settings=settings, client=client, directory=directory)
        worker = InProcessWorker(sopbot.engine, clock)
        bolt.use(worker.ring_after)
    except BaseException:
        sopbot.runtime.close()
        raise
    return SlackProcess(sopbot, door, bolt, client, worker)


class InProcessWorker:
    """The engine's worker inside the Slack-facing process, on its own thread.

    It is woken by the APScheduler waker (a timer falls due, the sweep, which also sets the
    alarm for work the doorbell's rounds scheduled later) and by its doorbell, which each
    acked request rings, so recorded work starts at once; rings while it works make one
    more round, not one each. It takes ``BATCH`` timers at a time and checks for
    a stop between batches, so a stop waits for a few timers at most.
    """

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._stopping = False
        self._working = threading.Lock()
        self._rung = threading.Event()
        self._waker = Waker(self._work, self._next_due, clock.now, sweep_seconds=SWEEP_SECONDS)
        self._thread = threading.Thread(target=self._serve, name="sopbot-worker", daemon=True)

    def start(self) -> None:
        """Start in the background: a backlog from before is done while requests are taken."""
        self._thread.start()

    def ring(self) -> None:
        self._rung.set()

    def ring_after(self, next: Callable[[], BoltResponse]) -> BoltResponse:
        """Bolt middleware: once the listener has acked (its work recorded), ring."""
        response = next()
        self.ring()
        return response

    def stop(self) -> None:
        self._stopping = True
        self._rung.set()
        if self._thread.ident is None:  # never started
            return
        self._thread.join()
        self._waker.stop()
        with self._working:  # a wake the scheduler began finishes its batch
            pass

    def _serve(self) -> None:
        self._waker.start()
        while True:
            self._rung.wait()
            if self._stopping:
                return
            self._rung.clear()
            self._work()  # not the waker's wake: that moves its alarm from a second thread

    def _work(self) -> None:
        with self._working:
            while not self._stopping and self._engine.worker.run_due(batch=BATCH, max_rounds=1):
                pass

    def _next_due(self) -> dt.datetime | None:
        with self._engine.runtime.database.session(read_only=True) as session:
            return timers.next_claimable_at(session)
