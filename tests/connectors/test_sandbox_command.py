"""``python -m bot.connectors.sandbox``: what a newcomer runs to reset, inspect and nudge
the demo tools."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.connectors.sandbox.__main__ import main
from bot.connectors.sandbox.demo_data import demo_records
from storage.database import Database

Call = Callable[..., dict[str, Any]]
DEMO_SIZE = len(demo_records(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))


@pytest.fixture
def sopbot_database(database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """Point the command at the test database, as SOPBOT_DATABASE_URL does for sopbot."""
    monkeypatch.setenv("SOPBOT_DATABASE_URL", database.url.render_as_string(hide_password=False))
    return database


def test_calls_lists_the_writes_and_reset_starts_over(
    sopbot_database: Database, call: Call, capsys: pytest.CaptureFixture[str]
) -> None:
    call("crm.refund", {"order_id": "1043", "amount": 20, "reason": "Late"}, key="r-1043")

    assert main(["calls"]) == 0
    listed = capsys.readouterr().out
    assert main(["reset"]) == 0
    after_reset = capsys.readouterr().out
    assert main(["seed"]) == 0
    seeded_again = capsys.readouterr().out
    assert main(["calls"]) == 0

    assert "crm.refund key=r-1043" in listed
    assert '"refund_id": "RF-0002"' in listed
    assert after_reset == f"sandbox wiped; {DEMO_SIZE} demo records added\n"
    assert seeded_again == "0 demo records added\n"
    assert capsys.readouterr().out == ""
    assert call("crm.get_order", {"order_id": "1043"})["refunded"] == 0.0


def test_change_makes_the_outside_world_move_and_explains_a_bad_field(
    sopbot_database: Database, call: Call, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["change", "claim", "CL-7002", "evidence_received=true"]) == 0
    assert main(["change", "invoice", "INV-2002", "status"]) == 1

    assert call("crm.get_claim", {"claim_id": "CL-7002"})["evidence_received"] is True
    assert capsys.readouterr().err == "error: 'status' is not FIELD=VALUE\n"


def test_a_database_without_the_schema_gets_a_hint_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOPBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")

    assert main(["seed"]) == 1
    assert capsys.readouterr().err == (
        "error: the database has no sandbox tables yet; run `sopbot db upgrade` first\n"
    )
