"""``sopbot doctor`` run as an operator runs it: the real command line in a clean
environment (no shell or ``.env`` settings leak in), its printed lines and exit code."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli.app import main
from tests.llm.conftest import fake_openai as fake_openai
from tests.llm.conftest import openai_server as openai_server

SAMPLE_SOPS = Path(__file__).resolve().parents[2] / "sops"


@dataclass(frozen=True)
class Outcome:
    code: int
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def line(self, subject: str) -> str:
        """The one line about ``subject`` (its status, subject and detail)."""
        found = [line for line in self.lines if line[6:].startswith(f"{subject}:")]
        assert len(found) == 1, f"no single line about {subject!r} in:\n{self.text}"
        return found[0]


Doctor = Callable[..., Outcome]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SOPBOT_*/SLACK_* variable of the shell, and no ``.env`` in the working folder."""
    for name in list(os.environ):
        if name.startswith(("SOPBOT_", "SLACK_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def doctor(capsys: pytest.CaptureFixture[str], migrated_url: str) -> Doctor:
    """``doctor(*arguments)``: run ``sopbot doctor`` on a migrated database and the sample
    SOPs (unless the arguments say otherwise)."""

    def run(*arguments: str) -> Outcome:
        defaults = []
        if "--database" not in arguments:
            defaults += ["--database", migrated_url]
        if "--sops" not in arguments:
            defaults += ["--sops", str(SAMPLE_SOPS)]
        code = main(["doctor", *defaults, *arguments])
        return Outcome(code, capsys.readouterr().out.splitlines())

    return run


@pytest.fixture
def migrated_url(tmp_path: Path) -> str:
    """A migrated SQLite database (the PostgreSQL case is in test_database.py)."""
    from storage.database import Database

    url = f"sqlite:///{tmp_path / 'sopbot.db'}"
    database = Database(url)
    database.upgrade()
    database.dispose()
    return url
