"""HR, the calendar and the HTTP echo: balances that run out, meetings with and without
notes, and requests that never leave the machine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storage.models import SandboxCall

Call = Callable[..., dict[str, Any]]
Refusal = Callable[[str, dict[str, Any]], str]


def time_off(
    user: str, days: float, start: str = "2026-12-07", end: str = "2026-12-11"
) -> dict[str, Any]:
    return {"user": user, "start": start, "end": end, "days": days}


def test_booking_time_off_spends_the_balance_and_refuses_more_than_is_left(
    call: Call, refusal: Refusal
) -> None:
    booked = call("hr.book_time_off", time_off("U06ANA", 2))

    assert booked["pto_days_left"] == 1.0
    assert call("hr.get_employee", {"user": "U06ANA"})["pto_days_left"] == 1.0
    assert refusal("hr.book_time_off", time_off("U06ANA", 2)) == (
        "Ana has 1 day of PTO left; cannot book 2 days"
    )
    assert call("hr.get_employee", {"user": "U06ANA"})["pto_days_left"] == 1.0


def test_time_off_must_fit_its_dates(refusal: Refusal) -> None:
    assert refusal("hr.book_time_off", time_off("U02DEV", 6)) == (
        "6 days do not fit between 2026-12-07 and 2026-12-11 (5 days)"
    )
    assert refusal("hr.book_time_off", time_off("U02DEV", 1, "2026-12-08", "2026-12-07")) == (
        "time off cannot end (2026-12-07) before it starts (2026-12-08)"
    )


def test_an_employee_record_names_the_supervisor_to_ask(call: Call, refusal: Refusal) -> None:
    employee = call("hr.get_employee", {"user": "U02DEV"})

    assert (employee["name"], employee["supervisor"], employee["team_channel"]) == (
        "Dev",
        "U04LEE",
        "C02SUPPORT",
    )
    assert refusal("hr.get_employee", {"user": "U404"}) == "no employee U404 in the sandbox HR"


def test_one_meeting_has_notes_and_the_other_has_none(call: Call) -> None:
    with_notes = call("calendar.get_meeting", {"meeting_id": "M-801"})
    without = call("calendar.get_meeting", {"meeting_id": "M-802"})

    assert with_notes["notes"].startswith("Agreed:")
    assert with_notes["ended_at"] == "2026-11-23T04:00:00Z"
    assert without["notes"] is None


def test_an_event_cannot_end_before_it_starts(refusal: Refusal) -> None:
    message = refusal(
        "calendar.create_event",
        {"user": "U06ANA", "title": "Offsite", "start": "2026-12-03", "end": "2026-12-01"},
    )

    assert message == "an event cannot end (2026-12-01) before it starts (2026-12-03)"


def test_http_requests_are_echoed_and_logged_with_header_values_hidden(
    call: Call, logged: Callable[..., list[SandboxCall]]
) -> None:
    response = call(
        "http.request",
        {
            "method": "POST",
            "url": "https://hooks.example.com/incident",
            "json": {"ticket": "T-502"},
            "headers": {"Authorization": "Bearer s3cret"},
        },
    )

    assert response == {
        "status": 200,
        "body": {
            "sandbox": True,
            "echo": {
                "method": "POST",
                "url": "https://hooks.example.com/incident",
                "json": {"ticket": "T-502"},
                "header_names": ["Authorization"],
            },
        },
    }
    [row] = logged("http.request")
    assert "s3cret" not in str(row.arguments)
    assert row.arguments["url"] == "https://hooks.example.com/incident"
