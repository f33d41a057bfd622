"""The settings, the database and the SOP files: what ``sopbot doctor`` says about each,
and that it fails (exit 1) exactly when something would stop a start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.database import Database
from tests.doctor.conftest import Doctor


def test_a_sound_local_setup_is_all_ok(doctor: Doctor) -> None:
    outcome = doctor()

    assert outcome.code == 0, outcome.text
    assert all(line.startswith("ok  ") for line in outcome.lines), outcome.text
    assert "at the newest revision" in outcome.line("database")
    assert outcome.line("jira, crm, email, slack, http, calendar, hr").endswith(
        "the sandbox: demo tools, no real calls"
    )
    assert "local console" in outcome.line("Slack")


def test_json_is_one_document_for_scripts(doctor: Doctor) -> None:
    outcome = doctor("--format", "json")

    document = json.loads(outcome.text)
    assert outcome.code == 0
    assert document["ok"] is True
    assert {"status": "ok", "subject": "settings", "detail": "loaded"} in document["checks"]


def test_a_bad_setting_is_one_failing_line(doctor: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPBOT_LEASE_SECONDS", "1")

    outcome = doctor()

    assert outcome.code == 1
    assert outcome.lines == [
        "FAIL  settings: SOPBOT_LEASE_SECONDS: Input should be greater than or equal to 5"
    ]


def test_a_migrated_database_is_ok_on_each_backend(doctor: Doctor, database: Database) -> None:
    outcome = doctor("--database", database.url.render_as_string(hide_password=False))

    assert outcome.code == 0, outcome.text
    assert outcome.line("database").startswith("ok    database: ")


def test_a_database_without_the_schema_fails_on_each_backend(
    doctor: Doctor, empty_database_url: str
) -> None:
    outcome = doctor("--database", empty_database_url)

    assert outcome.code == 1
    assert outcome.line("database").startswith("FAIL")
    assert outcome.line("database").endswith("run `sopbot db upgrade`")


def test_a_missing_database_file_is_reported_not_made(doctor: Doctor, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "sopbot.db"

    outcome = doctor("--database", f"sqlite:///{missing}")

    assert outcome.code == 1
    assert outcome.line("database") == (
        f"FAIL  database: no database file at {missing}: run `sopbot db upgrade`"
    )
    assert not missing.parent.exists()


def test_an_unreachable_database_fails_naming_it_without_its_password(doctor: Doctor) -> None:
    outcome = doctor("--database", "postgresql://sopbot:hunter2-pw@127.0.0.1:1/sopbot")

    line = outcome.line("database")
    assert outcome.code == 1
    assert line.startswith("FAIL  database: cannot use postgresql+psycopg://sopbot:***@127.0.0.1:1")
    assert "hunter2-pw" not in outcome.text


def test_an_sop_with_an_error_fails_pointing_at_it(doctor: Doctor, tmp_path: Path) -> None:
    sops = tmp_path / "sops"
    sops.mkdir()
    (sops / "broken.yml").write_text("id: broken\ntitle: Broken\nsteps: []\n")

    outcome = doctor("--sops", str(sops))

    line = outcome.line(f"SOPs in {sops}")
    assert outcome.code == 1
    assert line.startswith("FAIL")
    assert f"{sops / 'broken.yml'}:" in line
