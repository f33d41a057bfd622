"""``sopbot db``: an operator creates, upgrades and checks the schema from the shell."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.app import main
from storage.migrate import head_revision


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var" / "sopbot.db"
    monkeypatch.setenv("SOPBOT_DATABASE_URL", f"sqlite:///{path}")
    return path


def test_upgrade_creates_the_schema_and_current_confirms_it(
    database_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "current"]) == 1
    assert "no schema yet; run `sopbot db upgrade`" in capsys.readouterr().out

    assert main(["db", "upgrade"]) == 0
    assert f"upgraded from an empty database to {head_revision()}" in capsys.readouterr().out
    assert database_file.exists()

    assert main(["db", "upgrade"]) == 0
    assert f"already at revision {head_revision()} (newest)" in capsys.readouterr().out

    assert main(["db", "current"]) == 0
    assert f"at revision {head_revision()} (newest)" in capsys.readouterr().out


def test_the_database_option_overrides_the_environment(
    database_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.db"

    assert main(["db", "upgrade", "--database", f"sqlite:///{other}"]) == 0

    assert str(other) in capsys.readouterr().out
    assert other.exists()
    assert not database_file.exists()


def test_a_postgresql_database_is_upgraded_too(
    empty_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade", "--database", empty_database_url]) == 0
    assert main(["db", "current", "--database", empty_database_url]) == 0
    assert f"at revision {head_revision()} (newest)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("url", "code", "message"),
    [
        ("nonsense", 2, "sopbot db: not a database URL: 'nonsense'"),
        ("mysql://root@db/sopbot", 2, "sopbot db: unsupported database 'mysql'"),
        (
            "postgresql://sopbot:secret@127.0.0.1:1/sopbot",
            1,
            "sopbot db: cannot use postgresql+psycopg://sopbot:***@127.0.0.1:1/sopbot: ",
        ),
    ],
)
def test_a_bad_or_unreachable_database_gets_one_clear_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
    code: int,
    message: str,
) -> None:
    monkeypatch.setenv("SOPBOT_DATABASE_URL", url)

    assert main(["db", "upgrade"]) == code

    error = capsys.readouterr().err
    assert error.startswith(message)
    assert "Traceback" not in error
    assert "secret" not in error


def test_db_without_an_action_shows_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["db"])

    assert exit_info.value.code == 2
    assert "upgrade" in capsys.readouterr().err
