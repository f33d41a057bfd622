"""Shared blocks of steps: expanded where they are included, checked like the caller's own
steps with findings in the block's file, and pinned with the caller's version."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from bot.library import Library, pinned_procedure
from bot.procedure.loader import is_sop_file, load_file
from bot.validation.validator import validate_paths
from storage.database import Database

REPO = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)

CALLER = """\
id: caller
title: A procedure with a shared block
owner: U01MARIA
version: 1
review: {every: 90d, last_reviewed: 2026-11-01}
trigger: {command: caller}
inputs:
  customer_id: {type: string}
steps:
  - include: shared/greet.steps.yml
  - id: done
    end: completed
    message: "{{ greeting }}"
"""

BLOCK = """\
description: Greets the customer.
steps:
  - id: greet
    set:
      greeting: "Hello {{ inputs.{name} }}"
"""


def _write(folder: Path, *, name: str = "customer_id") -> Path:
    (folder / "shared").mkdir(exist_ok=True)
    (folder / "shared" / "greet.steps.yml").write_text(BLOCK.replace("{name}", name))
    caller = folder / "caller.yml"
    caller.write_text(CALLER)
    return caller


def test_the_blocks_steps_take_the_includes_place(tmp_path: Path) -> None:
    loaded = load_file(_write(tmp_path))
    assert loaded.procedure is not None, [d.render() for d in loaded.diagnostics]
    assert [step.id for step in loaded.procedure.steps] == ["greet", "done"]


def test_a_finding_in_a_blocks_step_points_at_the_block_file(tmp_path: Path) -> None:
    _write(tmp_path, name="customer")
    report = validate_paths([tmp_path], today=NOW.date())
    assert [(d.file, d.line, d.code) for d in report.diagnostics] == [
        (str(tmp_path / "shared" / "greet.steps.yml"), 5, "SOP205")
    ]
    assert (
        "no input named 'customer' (did you mean 'customer_id'?)" in report.diagnostics[0].message
    )


def test_block_files_are_not_procedures_of_their_own() -> None:
    block = REPO / "sops" / "shared" / "read-ticket-account.steps.yml"
    assert block.is_file()
    assert not is_sop_file(block)


def test_the_samples_share_the_account_reading_block() -> None:
    for name in ("bug-escalation", "sla-priority-routing"):
        loaded = load_file(REPO / "sops" / f"{name}.yml")
        assert loaded.procedure is not None
        assert "read_account" in loaded.procedure.step_index()
        assert loaded.expanded is not None
        assert loaded.content_hash == hashlib.sha256(loaded.expanded.encode()).hexdigest()


def test_a_run_keeps_the_block_it_started_with(tmp_path: Path, database: Database) -> None:
    caller = _write(tmp_path)
    first = Library.serve(validate_paths([tmp_path], today=NOW.date()).files, database, now=NOW)
    pinned = first.find("caller").content_hash

    block = tmp_path / "shared" / "greet.steps.yml"
    block.write_text(block.read_text().replace("Hello", "Goodbye"))
    second = Library.serve(validate_paths([tmp_path], today=NOW.date()).files, database, now=NOW)

    assert second.find("caller").content_hash != pinned, "the block is part of the version"
    assert caller.read_text() == CALLER
    old_greeting = pinned_procedure(database, pinned).steps[0]
    assert "Hello" in old_greeting.model_dump_json()
    new_greeting = pinned_procedure(database, second.find("caller").content_hash).steps[0]
    assert "Goodbye" in new_greeting.model_dump_json()


def test_the_guide_quotes_the_sample_block_and_its_include() -> None:
    guide = (REPO / "docs" / "writing-sops.md").read_text()
    section = guide.split("## Shared steps: include", 1)[1].split("\n## ", 1)[0]
    block, include = re.findall(r"^```yml\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert block == (REPO / "sops" / "shared" / "read-ticket-account.steps.yml").read_text()
    for name in ("bug-escalation", "sla-priority-routing"):
        assert include in (REPO / "sops" / f"{name}.yml").read_text()
    report = validate_paths([REPO / "sops"], today=NOW.date())
    assert not [d.render() for d in report.diagnostics if d.severity == "error"]
