"""Every sample SOP ships with scenarios, and they all pass: ``sopbot test sops/``."""

from __future__ import annotations

import re

import pytest

from bot.cli.app import main
from bot.procedure.loader import is_sop_file
from tests.scenarios.conftest import REPO, SOPS


def test_every_sample_sop_passes_its_scenarios(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(REPO)
    code = main(["test", "sops", "--jobs", "2"])
    lines = capsys.readouterr().out.splitlines()
    failed = [line for line in lines if line.endswith(" FAILED")]
    assert not failed, "\n".join(lines)
    assert re.fullmatch(r"\d+ passed, 0 failed", lines[-1]), lines[-1]
    assert code == 0
    samples = {path.stem for path in SOPS.iterdir() if is_sop_file(path)}
    tested = {line.split("::", 1)[0] for line in lines if line.endswith(" PASSED")}
    assert tested == samples
    assert not [line for line in lines if line.startswith("no scenarios for")]
