"""The fake Slack Web API on an ephemeral loopback port, and a real ``WebClient`` on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from pytest_httpserver import HTTPServer
from slack_sdk import WebClient

from bot.adapters.slack.calls import Retrying
from bot.adapters.slack.chat import SlackChat
from bot.adapters.slack.client import web_client
from bot.adapters.slack.directory import SlackDirectory
from bot.adapters.slack.pacing import Pacer
from storage.database import Database
from tests.loopback import threaded_server
from tests.slack.fake_web_api import FakeSlack
from tests.slack.surface import Surface, serving


@pytest.fixture(scope="session")
def web_api_server() -> Iterator[HTTPServer]:
    """One loopback HTTP server for the session; each test gets its own fake workspace on
    it."""
    with threaded_server() as server:
        yield server


@pytest.fixture
def slack(web_api_server: HTTPServer) -> Iterator[FakeSlack]:
    """A fresh workspace: #support and #ops, Maria, Dev and Sam, finance's user group."""
    web_api_server.clear()
    fake = FakeSlack(web_api_server)
    fake.add_channel("C02SUPPORT", "support")
    fake.add_channel("C03OPS", "ops")
    fake.add_user("U01MARIA", "maria", display_name="Maria")
    fake.add_user("U02DEV", "dev", display_name="Dev", tz="America/New_York")
    fake.add_user("U03SAM", "sam", display_name="Sam")
    fake.add_group("S01FINANCE", "finance", ["U03SAM"])
    try:
        yield fake
    finally:
        fake.release()
        web_api_server.clear()


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    """The real WebClient, made as sopbot makes it, pointed at the fake (1 s timeout, so a
    hang is given up quickly)."""
    return web_client("xoxb-test-token", slack.url, timeout=1)


MakeChat = Callable[[], SlackChat]


class Ticks:
    """A clock and a sleep that only move when told: a sleep is recorded and moves the
    clock at once, so tests see every wait without waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def directory(client: WebClient, ticks: Ticks) -> SlackDirectory:
    return SlackDirectory(client, retrying=Retrying(sleep=ticks.sleep), clock=ticks.clock)


@pytest.fixture
def make_chat(client: WebClient, directory: SlackDirectory, ticks: Ticks) -> MakeChat:
    """``make_chat()`` → a new SlackChat (a fresh process: no memory of earlier posts) that
    waits on ``ticks``."""

    def make() -> SlackChat:
        return SlackChat(
            client,
            directory,
            retrying=Retrying(sleep=ticks.sleep),
            pacer=Pacer(clock=ticks.clock, sleep=ticks.sleep),
        )

    return make


MakeSurface = Callable[..., Surface]


@pytest.fixture
def make_surface(
    database: Database,
    slack: FakeSlack,
    client: WebClient,
    directory: SlackDirectory,
    make_chat: MakeChat,
) -> Iterator[MakeSurface]:
    """``make_surface(*more_sops)``: the whole Slack surface on the refund SOP and
    ``more_sops`` (YAML texts), served until the test ends."""
    with ExitStack() as stack:

        def make(*more_sops: str) -> Surface:
            return stack.enter_context(
                serving(database, slack, client, directory, make_chat(), more_sops=more_sops)
            )

        yield make


@pytest.fixture
def surface(make_surface: MakeSurface) -> Surface:
    """The Slack surface on the refund SOP."""
    return make_surface()
