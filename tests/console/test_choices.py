"""A choice in the console: its card numbers one button per option; pressing one picks it
and the run goes to that option's step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.console.terminal import Console, button, run_id

TRIAGE = """\
id: triage
title: Triage a complaint
owner: U01MARIA
version: 1
review: {every: 365d, last_reviewed: 2026-11-01}
mode: autonomous
trigger: {command: triage}
escalation:
  to: [U04LEE]
steps:
  - id: pick
    choose:
      assignee: U02DEV
      question: Is the complaint about billing?
      options:
        - {label: Billing, goto: billing}
        - {label: Something else, goto: other}
      default: Something else
      timeout: 1d
  - id: billing
    end: completed
    result: {queue: billing}
  - id: other
    end: completed
    result: {queue: general}
"""


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    sops = tmp_path / "sops"
    sops.mkdir()
    (sops / "triage.yml").write_text(TRIAGE)
    opened = Console(tmp_path, sops)
    try:
        yield opened
    finally:
        opened.child.terminate(force=True)
    assert "Traceback" not in opened.text(), opened.text()


def test_pressing_an_option_picks_it_and_the_run_goes_to_its_step(console: Console) -> None:
    started = console.type("/sop run triage")
    run = run_id(started)
    assert "Is the complaint about billing?" in started
    billing, other = button(started, "Billing"), button(started, "Something else")
    assert int(other) == int(billing) + 1, "one numbered button per option"

    console.type("/as @dev")
    assert "Chose “Billing”" in console.type(billing)
    status = console.type(f"/sop status {run}")
    assert "completed" in status
    assert "queue=billing" in status
