"""A large freight claim in the console: the account owner reports the evidence, a manager
approves the filing, and moving the sandbox clock shows the follow-ups at 7 and 14 days and
the escalation when the carrier has not decided after 30."""

from __future__ import annotations

from tests.console.terminal import Console, button, run_id

STILL_OPEN = (
    "[sandbox] slack.post to #ops: Claim CL-7002 (7800.0, Northstar Haulage) for Globex Retail "
    "is still open. @Ana, please chase the carrier."
)


def file_claim(console: Console) -> str:
    """Start freight-claim for CL-7002 and walk it to its follow-up wait; the run id."""
    console.type_until("/sop run freight-claim", "Which claim? (for example CL-7001): ")
    started = console.type("CL-7002")
    assert "[thread] for @Ana" in started
    assert "Task · freight-claim" in started

    console.type("/as @ana")
    console.type_until(button(started, "Done"), "Link to the evidence folder: ")
    console.type_until("https://files.example/cl-7002", "Bill of lading number: ")
    console.type_until("BOL-5531", "What was damaged or lost?: ")
    reported = console.type("Pallet crushed")
    assert "Completed a-" in reported

    console.type("/as @maria")
    noted = console.type(button(reported, "Approve"))
    assert "[sandbox] crm.add_note object_type='claim' object_id='CL-7002'" in noted
    assert "[thread] for @Lee" in noted
    assert "File a 7800.0 claim against Northstar Haulage for Globex Retail" in noted

    console.type("/as @lee")
    filed = console.type(button(noted, "Approve"))
    assert (
        "[sandbox] http.request method='POST' "
        "url='https://claims.carrier-portal.example/api/claims'"
    ) in filed

    console.type("/as @maria")
    confirmed = console.type(button(filed, "Approve"))
    assert (
        "[sandbox] email.send to logistics@globex-retail.example: "
        "'Your freight claim CL-7002 is filed'"
    ) in confirmed
    return run_id(started)


def test_claim_is_followed_up_weekly_then_escalated_after_30_days(console: Console) -> None:
    run = file_claim(console)

    first_week = console.type("/clock +7d")
    assert "Sandbox time moved on 7d" in first_week
    assert first_week.count(STILL_OPEN) == 1
    second_week = console.type("/clock +7d")
    assert second_week.count(STILL_OPEN) == 1
    assert "ALERT" not in second_week
    waiting = console.type(f"/sop status {run}")
    assert f"Run {run} · freight-claim · waiting_timer (assist)" in waiting
    assert "at step: follow_up" in waiting

    day_thirty = console.type("/clock +16d")
    assert day_thirty.count(STILL_OPEN) == 1
    assert "[DM @Lee] ALERT" in day_thirty
    assert "Northstar Haulage has not decided claim CL-7002 after 30 days" in day_thirty
    escalated = console.type(f"/sop status {run}")
    assert f"Run {run} · freight-claim · escalated (assist)" in escalated
    assert "reason: Northstar Haulage has not decided claim CL-7002 after 30 days" in escalated
