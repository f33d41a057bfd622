"""Follow-ups that fall due while sopbot is not running are not merged: a worker down from
day 6 to day 15 owes the day-7 and the day-14 reminders. With ``catch_up: each`` (the
default) both go out, each saying how late it is; with ``latest`` only the newest does,
saying how many were skipped. Later reminders keep their own beat."""

from __future__ import annotations

import datetime as dt
import textwrap

from bot.harness import Harness
from bot.procedure.loader import load_text
from bot.procedure.summary import summarize
from tests.engine.conftest import MakeHarness, refund_sop
from tests.engine.test_waits_and_sla import CLAIM

DAY = dt.timedelta(days=1)
LATEST_CLAIM = CLAIM.replace(
    "on_timeout: escalate", "on_timeout: escalate\n          catch_up: latest"
)


def _down_from_day_6_to_day_15(harness: Harness) -> None:
    harness.advance(6 * DAY)
    harness.clock.advance(9 * DAY)  # no worker ran in between
    harness.engine.run_due()


def _email_bodies(harness: Harness) -> list[str]:
    return [str(call.arguments["body"]) for call in harness.tool_calls("email.send")]


def test_a_wait_sends_each_missed_follow_up_saying_how_late_it_is(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(CLAIM)
    run = harness.start("claim", {"claim_id": "CL-7001"})
    _down_from_day_6_to_day_15(harness)

    assert _email_bodies(harness) == [
        "We are still waiting for the carrier.\n\nThis reminder was due 2026-11-30 09:00 UTC "
        "and is sent 8 days late because sopbot was not running.",
        "We are still waiting for the carrier.\n\nThis reminder was due 2026-12-07 09:00 UTC "
        "and is sent 1 day late because sopbot was not running.",
    ]
    harness.advance(14 * DAY)  # day 29: the last check is on day 30
    assert len(_email_bodies(harness)) == 2
    harness.advance(DAY)
    assert harness.run(run.id).status == "escalated"
    assert _email_bodies(harness)[-1] == "We are still waiting for the carrier."


def test_a_wait_that_catches_up_with_the_latest_sends_one_saying_what_was_skipped(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(LATEST_CLAIM)
    harness.start("claim", {"claim_id": "CL-7001"})
    _down_from_day_6_to_day_15(harness)

    assert _email_bodies(harness) == [
        "We are still waiting for the carrier.\n\nThis reminder was due 2026-12-07 09:00 UTC "
        "and is sent 1 day late because sopbot was not running. 1 earlier reminder "
        "(due 2026-11-30 09:00 UTC) was skipped."
    ]


def _reminders(harness: Harness, person: str = "U03SAM") -> list[str]:
    return [
        message.text for message in harness.chat.to(person) if message.text.startswith("Reminder")
    ]


def _waiting_for_finance(make_harness: MakeHarness, catch_up: str = "") -> Harness:
    setting = f"\n          catch_up: {catch_up}" if catch_up else ""
    harness = make_harness(
        refund_sop(**{"timeout: 1d": f"timeout: 30d\n          remind_every: 7d{setting}"})
    )
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})
    assert run.status == "waiting_approval"
    return harness


def test_approval_reminders_missed_while_down_are_each_sent_and_keep_their_beat(
    make_harness: MakeHarness,
) -> None:
    harness = _waiting_for_finance(make_harness)
    _down_from_day_6_to_day_15(harness)

    reminders = _reminders(harness)
    assert len(reminders) == 2
    assert reminders[0].endswith(
        "This reminder was due 2026-11-30 09:00 UTC and is sent 8 days late because sopbot "
        "was not running."
    )
    assert reminders[1].endswith(
        "This reminder was due 2026-12-07 09:00 UTC and is sent 1 day late because sopbot "
        "was not running."
    )
    harness.advance(6 * DAY - dt.timedelta(minutes=1))  # day 21, a minute early
    assert len(_reminders(harness)) == 2
    harness.advance(dt.timedelta(minutes=1))
    assert _reminders(harness)[2].endswith("(due 2026-12-23 09:00 UTC)"), "on time: no note"


def test_approval_reminders_can_catch_up_with_only_the_latest(make_harness: MakeHarness) -> None:
    harness = _waiting_for_finance(make_harness, catch_up="latest")
    _down_from_day_6_to_day_15(harness)

    [reminder] = _reminders(harness)
    assert reminder.endswith(
        "This reminder was due 2026-12-07 09:00 UTC and is sent 1 day late because sopbot "
        "was not running. 1 earlier reminder (due 2026-11-30 09:00 UTC) was skipped."
    )


def test_sopbot_show_says_what_becomes_of_missed_reminders() -> None:
    loaded = load_text(textwrap.dedent(LATEST_CLAIM), "sops/claim.yml")
    assert loaded.procedure is not None
    summary = " ".join(summarize(loaded.procedure, today=dt.date(2026, 11, 23)).split())
    assert (
        "while false, email.send at each check (of those missed while down, only the latest is sent)"
        in summary
    )
