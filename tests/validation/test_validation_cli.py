"""``sopbot validate``: what a person sees in a terminal or CI, and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.app import main

BROKEN = Path(__file__).parent / "broken"
GOOD = Path(__file__).parent / "good" / "refund-request.yml"
TYPO = """\
id: file-bug
title: File a bug
owner: U0OWNER1
version: 1
review: {every: 90d, last_reviewed: 2026-11-01}
trigger: {command: file-bug}
permissions:
  allow: [jira.create_issue]
steps:
  - id: file
    action: jira.create_isue
    with: {project: BUG, summary: Broken}
    on_failure: skip
"""


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A folder with one good procedure, one with a typo, and a scenario file to ignore."""
    folder = tmp_path / "sops"
    folder.mkdir()
    (folder / "refund-request.yml").write_text(GOOD.read_text())
    (folder / "file-bug.yaml").write_text(TYPO)
    (folder / "refund-request.test.yml").write_text("this: [is not an SOP\n")
    return folder


def test_a_clean_library_passes_with_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "refund-request.yml").write_text(GOOD.read_text())
    assert main(["validate", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "1 file checked, no problems\n"


def test_a_broken_file_is_reported_and_the_good_one_still_checked(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(library)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"{library / 'file-bug.yaml'}:11:13: SOP201 steps[0].action: unknown action "
        "'jira.create_isue' (did you mean 'jira.create_issue'?)",
        "    hint: jira offers: jira.create_issue, jira.get_issue, jira.add_comment, "
        "jira.transition_issue, jira.assign_issue, jira.search_issues",
        "1 error in 2 files",
    ]


def test_json_output_carries_every_finding_and_the_counts(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--format", "json", str(library)]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document == {
        "files": 2,
        "errors": 1,
        "warnings": 0,
        "diagnostics": [
            {
                "file": str(library / "file-bug.yaml"),
                "line": 11,
                "column": 13,
                "code": "SOP201",
                "severity": "error",
                "location": "steps[0].action",
                "message": "unknown action 'jira.create_isue' (did you mean 'jira.create_issue'?)",
                "hint": "jira offers: jira.create_issue, jira.get_issue, jira.add_comment, "
                "jira.transition_issue, jira.assign_issue, jira.search_issues",
            }
        ],
    }


def test_warnings_pass_unless_strict(capsys: pytest.CaptureFixture[str]) -> None:
    overdue = str(BROKEN / "sop502-review-overdue.yml")
    assert main(["validate", overdue]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 warning in 1 file"
    assert main(["validate", "--strict", overdue]) == 1


def test_errors_and_warnings_are_both_counted(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(BROKEN / "sop502-review-overdue.yml"), str(BROKEN / "sop302-unreachable.yml")]
    files.append(str(BROKEN / "sop203-missing-argument.yml"))
    assert main(["validate", *files]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "3 errors and 2 warnings in 3 files"


def test_a_missing_path_is_a_usage_error_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope"
    assert main(["validate", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"sopbot validate: {missing}: no such file or folder\n"
    assert captured.out == ""


def test_the_default_path_is_sops(
    library: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(library.parent)
    assert main(["validate"]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "1 error in 2 files"


def test_an_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", "--format", "xml"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err
