"""SLA alerts as cards people act on: the context and the three buttons, on the channels the
SOP names; an acknowledgement or a take over is audited, said where it belongs and shown on
every alert card that landed."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app.door import FrontDoor
from bot.app.views import audit_trail
from bot.chat.messages import Card, Message
from bot.engine.alert_cards import ACKNOWLEDGE, OPEN_RUN, TAKE_OVER
from bot.engine.errors import DecisionRefused
from bot.harness import Harness
from tests.engine.conftest import MakeHarness

TICKET = """\
    id: first-response
    title: Enterprise first response
    owner: U01MARIA
    version: 3
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: ticket}
    inputs:
      ticket_id: {type: string}
    escalation:
      to: [U04LEE]
    sla:
      - id: first_response
        deadline: 2h
        stops_at: answered
        warn_before: [15m]
        escalations:
          - after: breach
            to: ["#vp-escalations"]
    steps:
      - id: reply
        task:
          assignee: U02DEV
          instructions: "Answer {{ inputs.ticket_id }}"
          due: 1d
          on_timeout: escalate
      - id: answered
        end: completed
"""


def _door(harness: Harness) -> FrontDoor:
    return FrontDoor(harness.engine, harness.directory, harness.chat)


def _card(message: Message) -> Card:
    assert message.card is not None
    return message.card


def _breached(make_harness: MakeHarness) -> tuple[Harness, str]:
    harness = make_harness(TICKET)
    run = harness.start("ticket", {"ticket_id": "T-502"})
    harness.advance(dt.timedelta(hours=2))
    return harness, run.id


def test_the_warning_and_the_breach_land_on_the_sop_channel_as_cards_with_three_buttons(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(TICKET)
    run = harness.start("ticket", {"ticket_id": "T-502"})
    harness.advance(dt.timedelta(minutes=105))
    (warning,) = harness.chat.alerts()
    assert warning.to == "#vp-escalations"
    card = _card(warning)
    assert card.title == f"SLA warning · run {run.id}"
    assert card.summary == f"SLA first_response on run {run.id} breaches in 15m"
    assert dict(card.fields) == {
        "Procedure": "Enterprise first response (first-response v3)",
        "Clock": "first_response",
        "Deadline": "2026-11-23 11:00 UTC",
        "Late": "step answered is not done yet",
        "Run is at": "reply",
        "Started by": "<@U02DEV>",
    }
    assert [(b.label, b.action, b.value) for b in card.buttons] == [
        ("Acknowledge", ACKNOWLEDGE, f"{run.id} first_response"),
        ("Take over", TAKE_OVER, run.id),
        ("Open run", OPEN_RUN, run.id),
    ]
    harness.advance(dt.timedelta(minutes=15))
    breach = harness.chat.alerts()[-1]
    assert (breach.to, _card(breach).title) == ("#vp-escalations", f"SLA breached · run {run.id}")


def test_an_acknowledgement_is_audited_and_shown_on_every_alert_card(
    make_harness: MakeHarness,
) -> None:
    harness, run_id = _breached(make_harness)
    result = _door(harness).acknowledge(run_id, "first_response", "U04LEE")
    assert (
        result.message
        == f"Acknowledged SLA first_response on run {run_id}; its alerts now show it."
    )
    harness.engine.run_due()
    ack = [e for e in audit_trail(harness.database, run_id) if e.action == "sla.acknowledge"]
    assert [(e.actor, e.outcome, e.detail) for e in ack] == [
        ("U04LEE", "acknowledged", {"clock": "first_response"})
    ]
    updated = [_card(message) for _, message in harness.chat.updates]
    assert len(updated) == 2  # the warning and the breach
    for card in updated:
        assert card.footer == "Acknowledged by <@U04LEE> at 2026-11-23 11:00 UTC"
        assert [b.action for b in card.buttons] == [TAKE_OVER, OPEN_RUN]


def test_a_second_acknowledgement_is_told_who_was_first_and_changes_nothing(
    make_harness: MakeHarness,
) -> None:
    harness, run_id = _breached(make_harness)
    door = _door(harness)
    door.acknowledge(run_id, "first_response", "U04LEE")
    harness.engine.run_due()
    again = door.acknowledge(run_id, "first_response", "U01MARIA")
    assert again.message == (
        f"SLA first_response on run {run_id} was already acknowledged by <@U04LEE> "
        "at 2026-11-23 11:00 UTC."
    )
    harness.engine.run_due()
    assert len(harness.chat.updates) == 2
    assert [
        e.actor for e in audit_trail(harness.database, run_id) if e.action == "sla.acknowledge"
    ] == ["U04LEE"]


def test_only_a_person_acknowledges_and_the_refusal_is_audited(make_harness: MakeHarness) -> None:
    harness, run_id = _breached(make_harness)
    with pytest.raises(DecisionRefused, match="S02SUPPORTLEADS is not a person"):
        _door(harness).acknowledge(run_id, "first_response", "S02SUPPORTLEADS")
    with pytest.raises(DecisionRefused, match="has no SLA alert for clock nope"):
        _door(harness).acknowledge(run_id, "nope", "U04LEE")
    refused = [e for e in audit_trail(harness.database, run_id) if e.outcome == "refused"]
    assert [(e.actor, e.action) for e in refused] == [("S02SUPPORTLEADS", "sla.acknowledge")]


def test_taking_over_says_so_in_the_run_thread_and_on_the_cards(make_harness: MakeHarness) -> None:
    harness, run_id = _breached(make_harness)
    door = _door(harness)
    assert door.take_over(run_id, "U04LEE").message == f"You took over run {run_id}."
    harness.engine.run_due()
    said = [m for m in harness.chat.to("C02SUPPORT") if m.thread and "took this over" in m.text]
    assert [m.text for m in said] == ["<@U04LEE> took this over."]
    assert {_card(m).footer for _, m in harness.chat.updates} == {
        "Taken over by <@U04LEE> at 2026-11-23 11:00 UTC"
    }
    harness.clock.advance(dt.timedelta(minutes=5))
    assert (
        door.take_over(run_id, "U01MARIA").message == f"You took over run {run_id} from <@U04LEE>."
    )
    harness.engine.run_due()
    assert harness.chat.to("C02SUPPORT")[-1].text == "<@U01MARIA> took this over from <@U04LEE>."
    taken = [e for e in audit_trail(harness.database, run_id) if e.action == "run.take_over"]
    assert [(e.actor, e.detail) for e in taken] == [
        ("U04LEE", {}),
        ("U01MARIA", {"from": "U04LEE"}),
    ]


def test_a_finished_run_cannot_be_taken_over(make_harness: MakeHarness) -> None:
    harness, run_id = _breached(make_harness)
    (task,) = harness.pending(run_id)
    harness.complete(task.id, "U02DEV", {})
    with pytest.raises(DecisionRefused, match="already ended \\(completed\\)"):
        _door(harness).take_over(run_id, "U04LEE")
