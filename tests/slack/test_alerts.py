"""SLA alerts in Slack, through the real Bolt app over signed HTTP: the warning and the breach
land on the SOP's channel as cards with buttons; Acknowledge is recorded, audited and shown
on the card; Take over is said in the run's thread; Open run shows the run to the clicker."""

from __future__ import annotations

import datetime as dt
import textwrap
import threading
from collections.abc import Callable
from typing import Any

import pytest

from tests.engine.test_sla_alerts import TICKET as ENGINE_TICKET
from tests.slack.conftest import MakeSurface
from tests.slack.fake_web_api import FakeSlack
from tests.slack.surface import Surface

SUPPORT, VP = "C02SUPPORT", "C03VP"
TICKET = textwrap.dedent(ENGINE_TICKET)  # the same procedure the engine tests alert on


@pytest.fixture
def surface(make_surface: MakeSurface, slack: FakeSlack) -> Surface:
    slack.add_channel(VP, "vp-escalations")
    return make_surface(TICKET)


def _warned(surface: Surface) -> tuple[str, dict[str, Any]]:
    """A ticket run 105 minutes in: its warning card at #vp-escalations."""
    assert surface.sender.command("run ticket ticket_id=T-502", user="U02DEV").status == 200
    surface.work()
    (run,) = surface.runs()
    surface.clock.advance(dt.timedelta(minutes=105))
    surface.work()
    (card,) = surface.cards(VP, "sla_ack")
    return run.id, card


def _wait_for(found: Callable[[], bool], seconds: float = 5.0) -> None:
    """Until ``found()`` (a listener answering after its ack), or fail after ``seconds``."""
    tick = threading.Event()
    for _ in range(int(seconds / 0.01)):
        if found():
            return
        tick.wait(0.01)
    raise AssertionError("the listener did not answer in time")


def _buttons(message: dict[str, Any]) -> list[str]:
    return [
        element["action_id"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_the_warning_and_the_breach_land_on_the_sop_channel_with_their_buttons(
    surface: Surface,
) -> None:
    run_id, warning = _warned(surface)
    assert warning["text"] == f"SLA first_response on run {run_id} breaches in 15m"
    assert warning["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": f"SLA warning · run {run_id}", "emoji": True},
    }
    facts = str(warning["blocks"])
    assert "Deadline*\\n2026-11-23 11:00 UTC" in facts
    assert "Late*\\nstep answered is not done yet" in facts
    assert _buttons(warning) == ["sla_ack", "take_over", "open_run"]
    assert surface.cards(SUPPORT, "sla_ack") == []  # the SOP names #vp-escalations

    surface.clock.advance(dt.timedelta(minutes=15))
    surface.work()
    breach = surface.cards(VP, "sla_ack")[-1]
    assert breach["text"] == f"SLA first_response breached on run {run_id}"


def test_acknowledge_is_recorded_once_and_shown_on_the_card(surface: Surface) -> None:
    run_id, card = _warned(surface)
    form = surface.sender.click_form(card, "sla_ack", user="U04LEE", channel=VP)
    for _ in range(3):  # a double click and a replay record nothing more
        assert surface.sender.send(form).status == 200
    surface.work()

    assert [(e.actor, e.run_id, e.detail) for e in surface.audit("sla.acknowledge")] == [
        ("U04LEE", run_id, {"clock": "first_response"})
    ]
    (shown,) = [m for m in surface.slack.posted(VP) if m["ts"] == card["ts"]]
    assert "edited" in shown
    assert "Acknowledged by <@U04LEE> at 2026-11-23 10:45 UTC" in str(shown["blocks"])
    assert _buttons(shown) == ["take_over", "open_run"]
    assert surface.whispers("U04LEE") == [
        f"Acknowledged SLA first_response on run {run_id}; its alerts now show it."
    ]


def test_a_group_cannot_acknowledge_and_is_told_why(surface: Surface) -> None:
    _, card = _warned(surface)
    surface.slack.add_user("U09BOT", "robot", is_bot=True)
    surface.sender.click(card, "sla_ack", user="U09BOT", channel=VP)
    surface.work()
    assert surface.audit("sla.acknowledge")[0].outcome == "refused"
    assert "not a person" in surface.whispers("U09BOT")[0]


def test_take_over_posts_in_the_run_thread(surface: Surface) -> None:
    run_id, card = _warned(surface)
    assert surface.sender.click(card, "take_over", user="U01MARIA", channel=VP).status == 200
    surface.work()
    root = surface.run(run_id).thread["root"]["id"]
    said = [m for m in surface.slack.posted(SUPPORT) if m.get("thread_ts") == root]
    assert said[-1]["text"] == "<@U01MARIA> took this over."
    assert [e.actor for e in surface.audit("run.take_over")] == ["U01MARIA"]
    (shown,) = [m for m in surface.slack.posted(VP) if m["ts"] == card["ts"]]
    assert "Taken over by <@U01MARIA>" in str(shown["blocks"])


def test_open_run_shows_the_run_to_the_clicker_alone(surface: Surface) -> None:
    run_id, card = _warned(surface)
    assert surface.sender.click(card, "open_run", user="U04LEE", channel=VP).status == 200
    _wait_for(lambda: bool(surface.whispers("U04LEE")))
    (status,) = surface.whispers("U04LEE")
    assert status.startswith(f"Run {run_id} · first-response · waiting_human")
    assert "at step: reply" in status
    assert surface.audit("sla.acknowledge") == []  # a read records nothing


def test_open_run_shows_a_guest_of_another_organisation_only_why_not(surface: Surface) -> None:
    """An alert card in a Slack Connect channel: the guest who presses Open run reads nothing
    of the run, is told why, and the refused read is audited."""
    run_id, card = _warned(surface)
    surface.slack.add_user("U08VENDOR", "vendor", team_id="T0OTHERORG")
    assert surface.sender.click(card, "open_run", user="U08VENDOR", channel=VP).status == 200
    _wait_for(lambda: bool(surface.whispers("U08VENDOR")))
    (answer,) = surface.whispers("U08VENDOR")
    assert answer.startswith("U08VENDOR is not a person of this workspace")
    assert run_id not in answer
    (refusal,) = surface.audit("read")
    assert (refusal.actor, refusal.outcome, refusal.detail) == (
        "U08VENDOR",
        "refused",
        {"command": "status"},
    )
