"""A routed Start that opens a form (the request did not say everything) starts one run per
button and person, like a Start that starts at once: pressed twice by one person (a double
click, or again after sending the first form), the forms they send start one run. Another
person's form starts their own."""

from __future__ import annotations

from typing import Any

from tests.slack.fake_web_api import BOT_USER, TEAM
from tests.slack.signed import Answer, text_input
from tests.slack.surface import Surface


def _start_card(surface: Surface) -> tuple[dict[str, Any], str]:
    """Dev's mention names the order but not the reason: the answer's Start opens a form."""
    ts = "1700000900.000001"
    said = f"<@{BOT_USER}> my order 1042 arrived broken, I want my money back"
    surface.slack.messages.setdefault("C02SUPPORT", []).append(
        {"type": "message", "user": "U02DEV", "text": said, "ts": ts}
    )
    event = {"type": "app_mention", "user": "U02DEV", "text": said, "ts": ts}
    surface.sender.event(
        {**event, "channel": "C02SUPPORT", "event_ts": ts, "team": TEAM}, event_id=f"Ev{ts}"
    )
    surface.work()
    (card,) = [m for m in surface.slack.posted("C02SUPPORT") if m.get("thread_ts") == ts]
    (start,) = [
        element
        for block in card["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    return card, start["action_id"]


def _press_and_send(surface: Surface, card: dict[str, Any], action_id: str, user: str) -> Answer:
    opened = len(surface.slack.views)
    surface.sender.click(card, action_id, user=user, channel="C02SUPPORT")
    surface.slack.wait_for("views.open", count=opened + 1)
    form = surface.slack.views[-1]["view"]
    sent = surface.sender.submit(form, {"reason": text_input("arrived broken")}, user=user)
    assert sent.status == 200
    return sent


def _shown(answer: Answer) -> str:
    """The text of the view the form was replaced with (nothing when it just closed)."""
    view = answer.json().get("view") or {}
    return " ".join(block["text"]["text"] for block in view.get("blocks", []))


def test_two_forms_from_one_start_button_and_person_start_one_run(surface: Surface) -> None:
    card, action_id = _start_card(surface)

    assert _press_and_send(surface, card, action_id, "U02DEV").body == ""
    again = _press_and_send(surface, card, action_id, "U02DEV")
    surface.work()

    assert [run.started_by for run in surface.runs()] == ["U02DEV"]
    assert again.json()["response_action"] == "update"  # told, not closed without a word
    assert "This button already started your run" in _shown(again)
    assert "/sop history" in _shown(again)

    assert _press_and_send(surface, card, action_id, "U03SAM").body == ""
    surface.work()
    assert sorted(run.started_by for run in surface.runs()) == ["U02DEV", "U03SAM"]
