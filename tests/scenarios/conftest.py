"""Scenario tests run ``sopbot test`` in-process on small scenario files written next to a
copy of a sample SOP, and read what a person would see."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli.app import main

REPO = Path(__file__).resolve().parents[2]
SOPS = REPO / "sops"


@dataclass(frozen=True)
class Outcome:
    """The exit code and the printed lines of one ``sopbot test``."""

    code: int
    lines: list[str]
    errors: str

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


RunScenarios = Callable[..., Outcome]


@pytest.fixture
def run_scenarios(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> RunScenarios:
    """``run_scenarios(scenario_yaml, *options, sop="refund-request")``: write the scenario
    file beside a copy of that sample SOP and run ``sopbot test`` on it."""

    def run(scenarios: str, *options: str, sop: str = "refund-request") -> Outcome:
        shutil.copyfile(SOPS / f"{sop}.yml", tmp_path / f"{sop}.yml")
        (tmp_path / f"{sop}.test.yml").write_text(textwrap.dedent(scenarios))
        code = main(["test", str(tmp_path / f"{sop}.yml"), *options])
        captured = capsys.readouterr()
        return Outcome(code, captured.out.splitlines(), captured.err)

    return run
