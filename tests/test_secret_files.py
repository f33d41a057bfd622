"""Secrets given as files (``<NAME>_FILE``), as containers mount them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli.app import main
from bot.secret_files import SecretFileProblem, load_secret_files


def test_a_file_stands_for_its_variable_and_its_value_is_masked(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    token = tmp_path / "jira-token"
    token.write_text("s3cr3t-jira-token\n")
    environ = {"SOPBOT_JIRA_TOKEN_FILE": str(token), "HOME_FILE": "/nowhere"}

    assert load_secret_files(environ) == ["SOPBOT_JIRA_TOKEN"]

    assert environ["SOPBOT_JIRA_TOKEN"] == "s3cr3t-jira-token"  # the newline is not the secret
    logging.getLogger("sopbot.test").warning("calling Jira with %s", environ["SOPBOT_JIRA_TOKEN"])
    assert "s3cr3t-jira-token" not in caplog.text


@pytest.mark.parametrize(
    ("content", "also_set", "problem"),
    [
        (None, False, "cannot read"),
        ("", False, "is empty"),
        ("x" * 70_000, False, "too large for a secret"),
        ("token", True, "SLACK_BOT_TOKEN_FILE and SLACK_BOT_TOKEN are both set"),
    ],
)
def test_an_unusable_file_is_refused_naming_the_variable(
    tmp_path: Path, content: str | None, also_set: bool, problem: str
) -> None:
    path = tmp_path / "token"
    if content is not None:
        path.write_text(content)
    environ = {"SLACK_BOT_TOKEN_FILE": str(path)}
    if also_set:
        environ["SLACK_BOT_TOKEN"] = "xoxb-other"

    with pytest.raises(SecretFileProblem, match=problem) as refused:
        load_secret_files(environ)

    assert "SLACK_BOT_TOKEN_FILE" in str(refused.value)


def test_a_command_stops_before_starting_when_a_secret_file_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOPBOT_SMTP_PASSWORD_FILE", str(tmp_path / "absent"))

    assert main(["validate", "sops"]) == 2

    assert "SOPBOT_SMTP_PASSWORD_FILE: cannot read" in capsys.readouterr().err
