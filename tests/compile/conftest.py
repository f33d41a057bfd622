"""``sopbot compile`` runs in a scratch folder (docs/ with the written procedures, an empty
sops/) against the scripted fake chat-completions API, through the real openai client."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.procedure.loader import load_file
from tests.llm.conftest import fake_openai as fake_openai
from tests.llm.conftest import openai_server as openai_server
from tests.llm.fake_openai import KEY, MODEL, FakeOpenAI

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"


def sample_text(name: str) -> str:
    """A sample SOP as a model would answer it: one file, its blocks in place."""
    return load_file(REPO / "sops" / f"{name}.yml").pinned_text


@dataclass(frozen=True)
class Workspace:
    """The scratch folder ``sopbot compile`` runs in."""

    root: Path

    @property
    def sops(self) -> Path:
        return self.root / "sops"

    def procedure(self, name: str) -> Path:
        return self.root / "docs" / f"{name}.md"

    def draft(self, name: str) -> Path:
        return self.root / "docs" / f"{name}.sop.yml"

    def sha256(self, name: str) -> str:
        return hashlib.sha256(self.procedure(name).read_bytes()).hexdigest()


@pytest.fixture
def workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_openai: FakeOpenAI
) -> Workspace:
    """The written procedures in docs/, an empty sops/, a scratch database, and the model
    settings pointing at the fake."""
    shutil.copytree(EXAMPLES, tmp_path / "docs")
    (tmp_path / "sops").mkdir()
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "SOPBOT_LLM_API_KEY": KEY,
        "SOPBOT_LLM_BASE_URL": fake_openai.url,
        "SOPBOT_LLM_MODEL": MODEL,
        "SOPBOT_LLM_TIMEOUT": "5",
        "SOPBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'sopbot.db'}",
        "SOPBOT_SOPS_DIR": str(tmp_path / "sops"),
    }.items():
        monkeypatch.setenv(name, value)
    return Workspace(tmp_path)
