"""Routing tests use the sample procedures in ``sops/``: the ones people really route to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.harness import Harness
from bot.procedure.model import Procedure
from bot.validation.validator import validate_paths
from storage.database import Database
from tests.llm.conftest import fake_openai as fake_openai
from tests.llm.conftest import models as models
from tests.llm.conftest import openai_server as openai_server
from tests.llm.conftest import pauses as pauses
from tests.llm.conftest import recorded as recorded

SOPS = Path(__file__).resolve().parents[2] / "sops"


@pytest.fixture(scope="session")
def samples() -> dict[str, Procedure]:
    """The sample procedures by id, as the library serves them."""
    report = validate_paths([SOPS])
    return {loaded.procedure.id: loaded.procedure for loaded in report.files if loaded.procedure}


@pytest.fixture
def harness(database: Database) -> Iterator[Harness]:
    """The real engine serving the sample procedures on the sandbox tools."""
    opened = Harness.open(database, validate_paths([SOPS]).files)
    try:
        yield opened
    finally:
        opened.close()
