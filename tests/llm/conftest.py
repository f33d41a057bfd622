"""The fake chat-completions API (``fake_openai``) and what a test needs around it: the
waits sopbot would have slept (``pauses``), the usage records (``recorded``) and the
models configured against the fake (``models``).

Other test folders reuse these by importing them into their own conftest:
``from tests.llm.conftest import fake_openai, openai_server, pauses, recorded, models``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from bot.llm.models import Models
from bot.llm.usage import Usage
from tests.llm.fake_openai import FakeOpenAI
from tests.loopback import threaded_server


@pytest.fixture(scope="session")
def openai_server() -> Iterator[HTTPServer]:
    """One loopback server for the session."""
    with threaded_server() as server:
        yield server


@pytest.fixture
def fake_openai(openai_server: HTTPServer) -> Iterator[FakeOpenAI]:
    """A fresh script on the shared server; every hang ends when the test does."""
    openai_server.clear()
    fake = FakeOpenAI(openai_server)
    try:
        yield fake
    finally:
        fake.release()
        openai_server.clear()


@pytest.fixture
def pauses() -> list[float]:
    """Each wait sopbot asked for between tries, in seconds (none is actually waited)."""
    return []


@pytest.fixture
def recorded() -> list[Usage]:
    """The usage records of the test's requests; ``recorded.append`` is a recorder."""
    return []


@pytest.fixture
def models(fake_openai: FakeOpenAI, pauses: list[float]) -> Models:
    """Model access configured against the fake (1 s timeout, 2 retries)."""
    return Models.configured(fake_openai.settings(), sleep=pauses.append)
