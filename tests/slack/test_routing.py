"""Asking sopbot in words in Slack, through the real Bolt app over signed HTTP: a mention
(``app_mention``) or a direct message (``message.im``) is recorded, routed by the worker and
answered under the message; an unsure route offers Start buttons that start the procedure
(through the form for what the words did not say); Slack's retries start nothing twice and
bots' messages are not requests. ``/sop`` free text says what it is doing."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from bot.app.commands.parser import parse
from bot.app.inbox import command_work
from handlers.slack.requests import record
from storage.database import Database
from tests.slack.fake_web_api import BOT_ID, BOT_USER, TEAM
from tests.slack.signed import Answer, text_input
from tests.slack.surface import Surface

FREIGHT = Path(__file__).parents[2] / "sops" / "freight-claim.yml"
CLEAR = "my order 1042 arrived broken, I want my money back. reason: arrived broken"
UNCLEAR = "the shipment arrived broken and the customer wants their money back"
_stamps = itertools.count(1)


def _say(
    surface: Surface,
    text: str,
    *,
    user: str = "U02DEV",
    channel: str = "C02SUPPORT",
    event_id: str | None = None,
    ts: str | None = None,
    **more: Any,
) -> tuple[Answer, str]:
    """``user`` writes ``@sopbot text`` in ``channel`` (kept by the fake as Slack keeps it);
    Slack delivers the ``app_mention`` event (with ``more`` of its fields: ``thread_ts``,
    ``edited``). The message's ts comes back."""
    ts = ts or f"1700000500.{next(_stamps):06d}"
    said = f"<@{BOT_USER}> {text}"
    stored = surface.slack.messages.setdefault(channel, [])
    if not any(message["ts"] == ts for message in stored):  # a retry: Slack has it already
        stored.append({"type": "message", "user": user, "text": said, "ts": ts})
    event = {
        "type": "app_mention",
        "user": user,
        "text": said,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM,
        **more,
    }
    return surface.sender.event(event, event_id=event_id or f"Ev{ts}"), ts


def _direct(surface: Surface, event: dict[str, Any], event_id: str) -> Answer:
    """A ``message.im`` event: a message in a direct conversation with the bot."""
    return surface.sender.event(
        {"type": "message", "channel_type": "im", "channel": "D02DEV", "team": TEAM, **event},
        event_id=event_id,
    )


def _replies(surface: Surface, channel: str, ts: str) -> list[dict[str, Any]]:
    """What the bot posted in the thread under ``ts``."""
    return [m for m in surface.slack.posted(channel) if m.get("thread_ts") == ts]


def _start_buttons(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        element["text"]["text"]: element
        for block in card["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


def test_a_mention_is_routed_and_the_run_starts_answered_in_its_thread(surface: Surface) -> None:
    answer, ts = _say(surface, CLEAR)
    assert answer.status == 200
    assert surface.recorded() == 1  # written down before Slack was answered
    surface.work()

    (run,) = surface.runs()
    assert (run.sop_id, run.started_by) == ("refund-request", "U02DEV")
    assert (run.inputs["order_id"], run.inputs["reason"]) == ("1042", "arrived broken")
    (reply,) = _replies(surface, "C02SUPPORT", ts)
    assert reply["text"].startswith("That sounds like Refund a customer order: /sop run refund")
    assert f"Started Refund a customer order as run {run.id}" in reply["text"]
    assert surface.whispers("U02DEV") == []  # said in the thread, not to the person alone


def test_an_unsure_mention_offers_start_buttons_and_one_starts_that_procedure(
    make_surface: Any,
) -> None:
    surface: Surface = make_surface(FREIGHT.read_text())
    _, ts = _say(surface, UNCLEAR)
    surface.work()
    assert surface.runs() == []

    (card,) = _replies(surface, "C02SUPPORT", ts)
    buttons = _start_buttons(card)
    assert set(buttons) == {
        "Start Refund a customer order",
        "Start File and follow up a freight claim",
    }
    refund = buttons["Start Refund a customer order"]
    assert refund["value"] == "refund"

    # Sam clicks it: the words named no order, so the form asks for what is missing
    clicked = surface.sender.click(card, refund["action_id"], user="U03SAM", channel="C02SUPPORT")
    assert clicked.status == 200
    surface.slack.wait_for("views.open")
    form = surface.slack.views[-1]["view"]
    assert [block["block_id"] for block in form["blocks"]] == ["order_id", "reason"]
    sent = surface.sender.submit(
        form,
        {"order_id": text_input("1042"), "reason": text_input("arrived broken")},
        user="U03SAM",
    )
    assert (sent.status, sent.body) == (200, "")
    surface.work()
    (run,) = surface.runs()
    assert (run.sop_id, run.started_by, run.inputs["order_id"]) == (
        "refund-request",
        "U03SAM",
        "1042",
    )


def test_a_sure_mention_missing_inputs_offers_start_and_the_form_asks_only_the_rest(
    surface: Surface,
) -> None:
    """A mention opens no form (an event has no trigger): its Start button does."""
    _, ts = _say(surface, "my order 1042 arrived broken, I want my money back")
    surface.work()
    assert surface.runs() == []
    (card,) = _replies(surface, "C02SUPPORT", ts)
    assert "It needs more from you: press Start." in card["text"]
    start = _start_buttons(card)["Start Refund a customer order"]
    assert start["value"] == "refund order_id=1042"

    surface.sender.click(card, start["action_id"], user="U02DEV", channel="C02SUPPORT")
    surface.slack.wait_for("views.open")
    form = surface.slack.views[-1]["view"]
    assert [block["block_id"] for block in form["blocks"]] == ["reason"]
    surface.sender.submit(form, {"reason": text_input("arrived broken")}, user="U02DEV")
    surface.work()
    (run,) = surface.runs()
    assert (run.inputs["order_id"], run.inputs["reason"]) == ("1042", "arrived broken")


def test_a_start_button_with_every_input_starts_the_run_at_once(make_surface: Any) -> None:
    surface: Surface = make_surface(FREIGHT.read_text())
    _, ts = _say(surface, f"{UNCLEAR}, order 1042, reason: arrived broken")
    surface.work()
    (card,) = _replies(surface, "C02SUPPORT", ts)
    start = _start_buttons(card)["Start Refund a customer order"]
    assert start["value"] == 'refund order_id=1042 reason="arrived broken"'
    surface.sender.click(card, start["action_id"], user="U02DEV", channel="C02SUPPORT")
    surface.work()
    (run,) = surface.runs()
    assert (run.inputs["order_id"], run.inputs["reason"]) == ("1042", "arrived broken")
    assert surface.slack.views == []
    assert f"as run {run.id}" in surface.whispers("U02DEV")[-1]


def test_a_mention_that_cannot_be_recorded_is_answered_503_so_slack_sends_it_again(
    surface: Surface,
) -> None:
    runtime = surface.engine.runtime
    working = runtime.database
    runtime.database = Database("postgresql://postgres@127.0.0.1:1/unreachable")
    try:
        refused, ts = _say(surface, CLEAR, event_id="Ev0LATER")
    finally:
        runtime.database.dispose()
        runtime.database = working
    assert refused.status == 503
    assert surface.recorded() == 0
    again, _ = _say(surface, CLEAR, event_id="Ev0LATER", ts=ts)  # Slack's retry
    assert again.status == 200
    surface.work()
    assert len(surface.runs()) == 1


def test_slacks_retry_of_an_event_starts_one_run(surface: Surface) -> None:
    first, ts = _say(surface, CLEAR, event_id="Ev0RETRIED")
    again, _ = _say(surface, CLEAR, event_id="Ev0RETRIED", ts=ts)
    assert (first.status, again.status) == (200, 200)
    assert surface.recorded() == 1
    surface.work()
    assert len(surface.runs()) == 1
    assert len(_replies(surface, "C02SUPPORT", ts)) == 1


def test_a_mention_in_a_thread_is_answered_in_that_thread(surface: Surface) -> None:
    root = "1700000400.000001"
    talk = {"type": "message", "user": "U03SAM", "text": "customer says it broke", "ts": root}
    surface.slack.messages.setdefault("C02SUPPORT", []).append(talk)
    _, ts = _say(surface, CLEAR, thread_ts=root)
    surface.work()
    (run,) = surface.runs()
    assert _replies(surface, "C02SUPPORT", ts) == []
    (reply,) = _replies(surface, "C02SUPPORT", root)
    assert f"as run {run.id}" in reply["text"]


def test_an_edited_mention_starts_nothing_again(surface: Surface) -> None:
    """Slack sends app_mention again when the message is edited (same ts, ``edited`` set)."""
    _, ts = _say(surface, CLEAR)
    surface.work()
    edit = {"user": "U02DEV", "ts": "1700000900.000001"}
    answer, _ = _say(surface, CLEAR + " thanks", ts=ts, event_id="Ev0EDITED", edited=edit)
    assert answer.status == 200
    surface.work()
    assert len(surface.runs()) == 1
    assert surface.recorded() == 1


def test_a_direct_message_is_routed_and_answered_in_the_dm(surface: Surface) -> None:
    _direct(surface, {"user": "U02DEV", "text": CLEAR, "ts": "1700000600.000100"}, "Ev0DM")
    surface.work()
    (run,) = surface.runs()
    assert run.started_by == "U02DEV"
    (reply,) = surface.slack.posted("D02DEV")
    assert f"as run {run.id}" in reply["text"]


def test_the_bots_own_messages_and_edits_are_not_requests(surface: Surface) -> None:
    own = {"user": BOT_USER, "bot_id": BOT_ID, "text": CLEAR, "ts": "1700000700.000100"}
    assert _direct(surface, own, "Ev0OWN").status == 200
    other_bot = {"bot_id": "B0OTHER", "subtype": "bot_message", "text": CLEAR, "ts": "1.2"}
    assert _direct(surface, other_bot, "Ev0BOT").status == 200
    edit = {"subtype": "message_changed", "message": {"user": "U02DEV", "text": CLEAR}, "ts": "1.3"}
    assert _direct(surface, edit, "Ev0EDIT").status == 200
    assert surface.recorded() == 0
    surface.work()
    assert surface.runs() == []
    assert surface.slack.posted("D02DEV") == []


def test_free_text_sop_says_it_is_finding_the_procedure(surface: Surface) -> None:
    answer = surface.sender.command("my order 1042 arrived broken", user="U02DEV")
    assert (
        answer.text == "On it: finding the procedure for that. I'll tell you here when it's done."
    )
    assert surface.recorded() == 1


def test_unsure_sop_free_text_shows_the_start_buttons_to_the_person_alone(
    make_surface: Any,
) -> None:
    surface: Surface = make_surface(FREIGHT.read_text())
    surface.sender.command(UNCLEAR, user="U02DEV")
    surface.work()
    (whisper,) = [args for args in surface.slack.ephemeral if args.get("user") == "U02DEV"]
    blocks = whisper["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    labels = {
        element["text"]["text"]
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].startswith("start_procedure")
    }
    assert "Start Refund a customer order" in labels
    assert surface.runs() == []


def test_a_mention_whose_words_are_a_sop_command_runs_that_command_in_its_thread(
    surface: Surface,
) -> None:
    """``@sopbot help`` or ``status`` is the /sop command, not a request to route to a
    procedure."""
    _, first = _say(surface, "run refund order_id=1042 reason=damaged")
    surface.work()
    (run,) = surface.runs()
    (started,) = _replies(surface, "C02SUPPORT", first)
    assert f"Started Refund a customer order as run {run.id}" in started["text"]

    for words, expected in [
        ("help", "/sop run NAME key=value"),
        ("status", "/sop status RUN"),  # too little after the verb: the usage
    ]:
        _, ts = _say(surface, words)
        surface.work()
        (reply,) = _replies(surface, "C02SUPPORT", ts)
        assert expected in reply["text"], words
    assert len(surface.runs()) == 1  # none of them was routed to a procedure


def test_a_direct_message_that_is_a_sop_command_is_answered_in_the_dm(surface: Surface) -> None:
    _direct(surface, {"user": "U02DEV", "text": "list", "ts": "1700000600.000200"}, "Ev0LIST")
    surface.work()
    (reply,) = surface.slack.posted("D02DEV")
    assert "refund-request" in reply["text"]
    assert surface.runs() == []


def test_a_mentioned_run_missing_inputs_offers_start_with_what_it_gave(surface: Surface) -> None:
    """An event opens no form: the run's Start button does, asking only what is missing."""
    _, ts = _say(surface, "run refund order_id=1042")
    surface.work()
    assert surface.runs() == []
    (card,) = _replies(surface, "C02SUPPORT", ts)
    start = _start_buttons(card)["Start Refund a customer order"]
    assert start["value"] == "refund order_id=1042"


def test_a_read_asked_by_mention_in_a_channel_is_answered_in_the_askers_dm(
    surface: Surface,
) -> None:
    """The thread is read by everyone in the channel (in a shared one, by another
    organisation too): runs, approvals and procedures go to the asker alone."""
    _say(surface, "run refund order_id=1042 reason=damaged")
    surface.work()
    (run,) = surface.runs()
    (approval,) = surface.door.pending()

    for words, expected in [
        ("list", "refund-request"),
        (f"status {run.id}", f"Run {run.id} · refund-request · waiting_approval"),
        ("pending", approval.id),
        ("approvals", "Nothing is waiting for a decision."),
        ("history", run.id),
        ("show refund", "refund"),
    ]:
        before = len(surface.slack.posted("D02DEV"))
        _, ts = _say(surface, words)
        surface.work()
        assert _replies(surface, "C02SUPPORT", ts) == [], words
        answered = "".join(m["text"] for m in surface.slack.posted("D02DEV")[before:])
        assert expected in answered, words


def test_a_mentioned_command_sopbot_cannot_read_is_answered_with_why(surface: Surface) -> None:
    """As ``/sop`` answers: the reason first, then the usage, not the usage alone."""
    for words, why in [
        ("approve a-1 it's fine", "a quote is not closed"),
        ("run refund order_id=1 order_id=2", "'order_id' is given twice"),
    ]:
        _, ts = _say(surface, words)
        surface.work()
        (reply,) = _replies(surface, "C02SUPPORT", ts)
        assert why in reply["text"], words
        assert "/sop run NAME key=value" in reply["text"], words
    assert surface.runs() == []


def test_a_mentioned_run_missing_inputs_keeps_its_procedure_and_its_mode(
    make_surface: Any,
) -> None:
    """The Start offered is the procedure named, never another the words may route to, and
    the run it starts keeps ``--mode=shadow``."""
    surface: Surface = make_surface(FREIGHT.read_text())
    _, ts = _say(surface, "run refund order_id=1042 --mode=shadow")
    surface.work()
    assert surface.runs() == []
    (card,) = _replies(surface, "C02SUPPORT", ts)
    (start,) = _start_buttons(card).values()
    assert start["value"] == "refund order_id=1042 --mode=shadow"

    surface.sender.click(card, start["action_id"], user="U02DEV", channel="C02SUPPORT")
    surface.slack.wait_for("views.open")
    form = surface.slack.views[-1]["view"]
    assert [block["block_id"] for block in form["blocks"]] == ["reason"]
    surface.sender.submit(form, {"reason": text_input("arrived broken")}, user="U02DEV")
    surface.work()
    (run,) = surface.runs()
    assert (run.sop_id, run.mode, run.inputs["order_id"]) == ("refund-request", "shadow", "1042")


def test_a_start_pressed_again_by_its_person_says_it_already_started_their_run(
    make_surface: Any,
) -> None:
    surface: Surface = make_surface(FREIGHT.read_text())
    _, ts = _say(surface, f"{UNCLEAR}, order 1042, reason: arrived broken")
    surface.work()
    (card,) = _replies(surface, "C02SUPPORT", ts)
    start = _start_buttons(card)["Start Refund a customer order"]
    for _ in range(2):
        surface.sender.click(card, start["action_id"], user="U02DEV", channel="C02SUPPORT")
    surface.work()
    (run,) = surface.runs()
    told = surface.whispers("U02DEV")
    assert any("This button already started your run" in said for said in told), told
    assert sum(f"as run {run.id}" in said for said in told) == 1


def test_asking_in_words_to_see_a_procedure_is_answered_in_the_askers_dm(
    surface: Surface,
) -> None:
    """``@sopbot show me the refund procedure`` is ``show refund``: a read, answered alone."""
    _, ts = _say(surface, "show me the refund procedure")
    surface.work()
    assert _replies(surface, "C02SUPPORT", ts) == []
    shown = "".join(m["text"] for m in surface.slack.posted("D02DEV"))
    assert "Refund a customer order" in shown
    assert surface.runs() == []


def test_a_run_whose_inputs_went_missing_after_its_ack_offers_its_start_button(
    surface: Surface,
) -> None:
    """Recorded complete, found missing by the worker (the SOP changed in between): Slack
    opens no form without a fresh click, so the answer is the Start button that opens it."""
    work = command_work(parse("run refund reason=damaged"), by="U02DEV", channel="C02SUPPORT")
    assert record(surface.door, "late", work)
    surface.work()
    assert surface.runs() == []
    (offer,) = surface.whispers("U02DEV")
    assert "It needs more from you: press Start." in offer
