"""The sandbox mailbox and Slack keep what was sent where a person can find it, resolve
channels as Slack does, and refuse addresses and channels that do not exist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.connectors.sandbox.email import OUTBOX
from bot.connectors.sandbox.people import CHANNELS
from bot.connectors.sandbox.slack import MESSAGES
from bot.connectors.sandbox.store import Document, Kind

Call = Callable[..., dict[str, Any]]
Refusal = Callable[[str, dict[str, Any]], str]
Stored = Callable[[Kind, str], Document | None]


def test_a_sent_email_waits_in_the_outbox(call: Call, stored: Stored) -> None:
    sent = call(
        "email.send",
        {
            "to": ["jordan.lee@acme-logistics.example"],
            "cc": ["ana@example.com"],
            "subject": "Your refund for order 1042",
            "body": "We have refunded 640.00 USD.",
        },
    )

    message = stored(OUTBOX, sent["message_id"])
    assert message is not None
    assert (message["to"], message["cc"], message["subject"]) == (
        ["jordan.lee@acme-logistics.example"],
        ["ana@example.com"],
        "Your refund for order 1042",
    )
    assert message["sent_at"] == "2026-11-23T09:00:00+00:00"


def test_an_email_to_something_that_is_not_an_address_is_refused(refusal: Refusal) -> None:
    message = refusal("email.send", {"to": ["maria"], "subject": "Hi", "body": "Hello"})

    assert message == "not an email address: 'maria'"


def test_posts_land_in_the_channel_named_by_id_or_name_and_threads_stay_in_it(
    call: Call, stored: Stored, refusal: Refusal
) -> None:
    by_name = call("slack.post", {"channel": "#support", "text": "T-502 is unassigned"})
    reply = call(
        "slack.post", {"channel": "C02SUPPORT", "text": "Taking it", "thread_ts": by_name["ts"]}
    )

    assert by_name["channel"] == reply["channel"] == "C02SUPPORT"
    assert float(reply["ts"]) > float(by_name["ts"])
    kept = stored(MESSAGES, reply["ts"])
    assert kept is not None
    assert (kept["text"], kept["thread_ts"]) == ("Taking it", by_name["ts"])
    assert refusal("slack.post", {"channel": "#ops", "text": "x", "thread_ts": by_name["ts"]}) == (
        f"no message {by_name['ts']} in #ops to reply to"
    )


def test_unknown_channels_and_people_are_refused(refusal: Refusal) -> None:
    assert refusal("slack.post", {"channel": "#general", "text": "hi"}) == (
        "no channel #general in the sandbox Slack"
    )
    assert refusal("slack.dm", {"user": "U404", "text": "hi"}) == (
        "no user U404 in the sandbox directory"
    )
    assert refusal("slack.invite", {"channel": "#ops", "users": ["U404"]}) == (
        "no user U404 in the sandbox directory"
    )


def test_a_direct_message_goes_to_the_persons_dm_channel(call: Call, stored: Stored) -> None:
    posted = call("slack.dm", {"user": "U03SAM", "text": "A refund waits for your approval"})

    assert posted["channel"] == "D03SAM"
    kept = stored(MESSAGES, posted["ts"])
    assert kept is not None
    assert kept["text"] == "A refund waits for your approval"


def test_creating_a_channel_twice_reuses_it_and_invites_add_members(
    call: Call, stored: Stored
) -> None:
    first = call("slack.create_channel", {"name": "onboarding-pioneer"})
    second = call("slack.create_channel", {"name": "onboarding-pioneer"})
    existing = call("slack.create_channel", {"name": "ops"})
    call("slack.invite", {"channel": first["channel"], "users": ["U06ANA", "U07KAI"]})
    call("slack.invite", {"channel": "#onboarding-pioneer", "users": ["U06ANA", "U01MARIA"]})

    assert first == second
    assert existing == {"channel": "C01OPS", "name": "ops"}
    channel = stored(CHANNELS, first["channel"])
    assert channel is not None
    assert channel["members"] == ["U01MARIA", "U06ANA", "U07KAI"]
