"""Delivery through the real WebClient to the fake Web API: each message once, whatever
Slack or the network does, and a clear error when it cannot be delivered."""

from __future__ import annotations

import pytest

from bot.adapters.slack.calls import SlackRefused, SlackUnavailable
from bot.adapters.slack.chat import EVENT_TYPE, Undeliverable
from bot.chat.messages import Card, Message, MessageRef
from tests.slack.conftest import MakeChat, Ticks
from tests.slack.fake_web_api import (
    FakeSlack,
    hang,
    rate_limited,
    refused,
    server_error,
)

ALERT = Message(to="C03OPS", text="SLA breached on run r-1", kind="alert")


def test_a_message_is_posted_once_per_key_even_by_a_process_with_no_memory(
    slack: FakeSlack, make_chat: MakeChat
) -> None:
    first = make_chat().post(ALERT, key="sopbot-7-1")
    again = make_chat().post(ALERT, key="sopbot-7-1")  # restarted: it finds the earlier post
    (posted,) = slack.posted("C03OPS")
    assert first == again == MessageRef(to="C03OPS", id=posted["ts"])
    assert posted["metadata"] == {"event_type": EVENT_TYPE, "event_payload": {"key": "sopbot-7-1"}}
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_the_same_key_in_one_process_asks_slack_nothing_again(
    slack: FakeSlack, make_chat: MakeChat
) -> None:
    chat = make_chat()
    chat.post(ALERT, key="k")
    calls = len(slack.calls)
    chat.post(ALERT, key="k")
    assert len(slack.calls) == calls


def test_two_failed_posts_then_a_good_one_leave_exactly_one_message(
    slack: FakeSlack, make_chat: MakeChat, ticks: Ticks
) -> None:
    slack.fail("chat.postMessage", server_error(times=2))
    make_chat().post(ALERT, key="k")
    assert len(slack.posted("C03OPS")) == 1
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert ticks.slept == [1.0, 2.0]


@pytest.mark.parametrize("lost", ["500", "timeout"])
def test_a_post_slack_kept_before_its_answer_was_lost_is_found_not_doubled(
    slack: FakeSlack, make_chat: MakeChat, lost: str
) -> None:
    slack.fail(
        "chat.postMessage", server_error(applied=True) if lost == "500" else hang(applied=True)
    )
    ref = make_chat().post(ALERT, key="k")
    (posted,) = slack.posted("C03OPS")
    assert ref.id == posted["ts"]
    assert len(slack.calls_to("chat.postMessage")) == 1


def test_a_429_waits_as_long_as_retry_after_says(
    slack: FakeSlack, make_chat: MakeChat, ticks: Ticks
) -> None:
    slack.fail("chat.postMessage", rate_limited(retry_after=7))
    make_chat().post(ALERT, key="k")
    assert 7.0 in ticks.slept
    assert len(slack.posted("C03OPS")) == 1


@pytest.mark.parametrize("retry_after", ["nan", "-3", "inf", "Wed, 21 Oct 2026 07:28:00 GMT"])
def test_a_retry_after_that_is_no_usable_number_waits_a_second(
    slack: FakeSlack, make_chat: MakeChat, ticks: Ticks, retry_after: str
) -> None:
    slack.fail("chat.postMessage", rate_limited(retry_after=retry_after))
    make_chat().post(ALERT, key="k")
    assert ticks.slept == [1.0]
    assert len(slack.posted("C03OPS")) == 1


def test_ratelimited_in_the_body_is_waited_out_too(
    slack: FakeSlack, make_chat: MakeChat, ticks: Ticks
) -> None:
    slack.fail("chat.postMessage", refused("ratelimited"))
    make_chat().post(ALERT, key="k")
    assert ticks.slept == [1.0]
    assert len(slack.posted("C03OPS")) == 1


def test_a_slack_that_keeps_failing_is_given_up_on_with_the_message_kept_for_later(
    slack: FakeSlack, make_chat: MakeChat
) -> None:
    slack.fail("chat.postMessage", server_error(times=4))
    with pytest.raises(SlackUnavailable, match=r"after 4 tries \(500 internal_error\).*later"):
        make_chat().post(ALERT, key="k")
    assert slack.posted("C03OPS") == []
    ref = make_chat().post(ALERT, key="k")  # the outbox asks again: now it lands, once
    assert [m["ts"] for m in slack.posted("C03OPS")] == [ref.id]


def test_posts_to_one_channel_are_paced_a_second_apart_other_channels_are_not(
    make_chat: MakeChat, ticks: Ticks
) -> None:
    chat = make_chat()
    for number in range(3):
        chat.post(ALERT, key=f"ops-{number}")
    chat.post(Message(to="C02SUPPORT", text="hello"), key="support-0")
    assert ticks.slept == [1.0, 1.0]
    assert ticks.now == 2.0


def test_an_unknown_channel_is_a_clear_error_not_a_retry(
    slack: FakeSlack, make_chat: MakeChat
) -> None:
    with pytest.raises(SlackRefused, match=r"channel_not_found.*invite the app"):
        make_chat().post(Message(to="C09GONE", text="hi"), key="k")
    assert len(slack.calls_to("conversations.history")) == 1


def test_a_person_gets_a_direct_message_and_a_channel_name_its_channel(
    slack: FakeSlack, make_chat: MakeChat
) -> None:
    chat = make_chat()
    to_dev = chat.post(Message(to="U02DEV", text="your turn"), key="a")
    to_ops = chat.post(Message(to="#ops", text="heads up"), key="b")
    assert to_dev.to == "D02DEV"
    assert to_ops.to == "C03OPS"
    assert slack.posted("D02DEV")[0]["text"] == "your turn"


@pytest.mark.parametrize(
    ("to", "says"),
    [
        ("S01FINANCE", "user group.*members one by one"),
        ("#nowhere", "no channel #nowhere"),
        ("finance team", "not a Slack user"),
    ],
)
def test_destinations_slack_cannot_take_are_refused_plainly(
    slack: FakeSlack, make_chat: MakeChat, to: str, says: str
) -> None:
    with pytest.raises(Undeliverable, match=says):
        make_chat().post(Message(to=to, text="hi"), key="k")
    assert slack.calls_to("chat.postMessage") == []


def test_a_card_is_replaced_in_place_with_chat_update(
    slack: FakeSlack, make_chat: MakeChat
) -> None:
    chat = make_chat()
    card = Card(title="Approval", summary="Refund 640", footer="a-1")
    ref = chat.post(Message(to="C02SUPPORT", text="Refund 640", card=card), key="k")
    decided = Card(title="Approval", summary="Refund 640", footer="Approved by <@U03SAM>")
    chat.update(ref, Message(to="C02SUPPORT", text="Refund 640", card=decided))
    (update,) = slack.calls_to("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (ref.to, ref.id)
    (posted,) = slack.posted("C02SUPPORT")
    assert posted["blocks"][-1]["elements"][0]["text"] == "Approved by <@U03SAM>"


def test_a_reply_goes_into_the_runs_thread(slack: FakeSlack, make_chat: MakeChat) -> None:
    chat = make_chat()
    root = chat.post(Message(to="C02SUPPORT", text="Run r-1 started"), key="root")
    # as the engine gives it: the run's root message, once posted
    thread = {"to": "C02SUPPORT", "root": {"to": root.to, "id": root.id, "extra": root.extra}}
    chat.post(Message(to="C02SUPPORT", text="step done", thread=thread), key="step")
    again = make_chat().post(Message(to="C02SUPPORT", text="step done", thread=thread), key="step")
    reply = slack.posted("C02SUPPORT")[1]
    assert reply["thread_ts"] == root.id
    assert again.id == reply["ts"]
    assert len(slack.posted("C02SUPPORT")) == 2


def test_text_longer_than_slack_allows_is_cut_with_the_rest_in_the_thread(
    slack: FakeSlack, make_chat: MakeChat
) -> None:
    long = " ".join(f"line{number}" for number in range(1500))  # about 12,000 characters
    ref = make_chat().post(Message(to="C03OPS", text=long), key="k")
    root, *replies = slack.posted("C03OPS")
    shown = root["blocks"][0]["text"]["text"]
    assert len(shown) <= 3000
    assert shown.endswith("…")
    assert "full text is in the thread" in root["blocks"][1]["elements"][0]["text"]
    assert all(reply["thread_ts"] == ref.id for reply in replies)
    assert " ".join(reply["text"] for reply in replies) == long
