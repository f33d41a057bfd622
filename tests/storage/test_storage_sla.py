"""An SLA clock ends once: met, cancelled or breached, never two of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from storage import sla
from storage.database import Database

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def run_id(make_run: Callable[..., str]) -> str:
    return make_run("run-1")


def _start(database: Database, run_id: str, clock_id: str, hours: int) -> None:
    with database.session() as session:
        sla.start_clock(
            session,
            run_id=run_id,
            clock_id=clock_id,
            started_at=T0,
            deadline_at=T0 + hours * HOUR,
        )


def _running(database: Database, run_id: str) -> list[str]:
    with database.session() as session:
        return [clock.clock_id for clock in sla.running_clocks(session, run_id)]


def test_running_clocks_are_listed_nearest_deadline_first(database: Database, run_id: str) -> None:
    _start(database, run_id, "resolution", 24)
    _start(database, run_id, "first_response", 2)

    assert _running(database, run_id) == ["first_response", "resolution"]


def test_a_met_clock_stops_once_and_can_no_longer_breach(database: Database, run_id: str) -> None:
    _start(database, run_id, "first_response", 2)

    with database.session() as session:
        met = sla.stop_clock(session, run_id, "first_response", at=T0 + HOUR, status="met")
        again = sla.stop_clock(session, run_id, "first_response", at=T0 + HOUR, status="cancelled")
        breached = sla.mark_breached(session, run_id, "first_response", at=T0 + 3 * HOUR)

    assert (met, again, breached) == (True, False, False)
    assert _running(database, run_id) == []


def test_a_breached_clock_records_when_and_cannot_be_met_late(
    database: Database, run_id: str
) -> None:
    _start(database, run_id, "first_response", 2)

    with database.session() as session:
        breached = sla.mark_breached(session, run_id, "first_response", at=T0 + 2 * HOUR)
        met_late = sla.stop_clock(session, run_id, "first_response", at=T0 + 3 * HOUR, status="met")

    assert (breached, met_late) == (True, False)
    assert _running(database, run_id) == []


def test_a_clock_stops_only_as_met_or_cancelled(database: Database, run_id: str) -> None:
    _start(database, run_id, "first_response", 2)

    with database.session() as session, pytest.raises(ValueError, match="met or cancelled"):
        sla.stop_clock(session, run_id, "first_response", at=T0, status="breached")
