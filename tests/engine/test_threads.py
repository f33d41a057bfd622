"""A thread per run: the run's first message is a root in its channel, everything after it
goes into that root's thread, and the root shows the outcome when the run ends."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.app import views
from bot.chat.messages import Message, MessageRef
from bot.chat.port import Undeliverable
from bot.chat.recording import RecordingChat
from storage.models import Timer
from tests.engine.conftest import MakeHarness
from tests.engine.test_recovery import POST

PAUSED = POST.replace(
    "      - id: pay\n", "      - id: pause\n        wait: {for: 1h}\n      - id: pay\n"
)


def test_a_run_talks_in_one_thread_and_its_root_shows_the_outcome(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(POST)
    run = harness.start("announce", {"order_id": "1043"})

    in_channel = harness.chat.to("C02SUPPORT")
    root, *replies = in_channel
    assert root.thread is None, "the first message starts the conversation"
    assert root.text.startswith("Started Announce · run ")
    root_ref = harness.run(run.id).thread["root"]  # type: ignore[index]
    assert replies, "the run said more than its start"
    assert all(reply.thread and reply.thread["root"] == root_ref for reply in replies)
    (_ref, outcome), *_ = [(r, m) for r, m in harness.chat.updates if r.id == root_ref["id"]]
    assert "completed" in outcome.text


def test_a_cancelled_run_shows_it_on_its_root(make_harness: MakeHarness) -> None:
    harness = make_harness(PAUSED)
    run = harness.start("announce", {"order_id": "1043"})
    harness.engine.cancel(run.id, "U01MARIA", "customer withdrew")
    harness.advance(dt.timedelta(seconds=1))

    root_ref = harness.run(run.id).thread["root"]  # type: ignore[index]
    shown = [m.text for r, m in harness.chat.updates if r.id == root_ref["id"]]
    assert shown == [f"Run {run.id} cancelled by <@U01MARIA>: customer withdrew"]


class RefusingChannel(RecordingChat):
    """A chat that refuses one channel for good, as Slack does a channel the bot left."""

    def post(self, message: Message, *, key: str) -> MessageRef:
        if message.to == "C02SUPPORT":
            raise Undeliverable("Slack refused chat.postMessage: not_in_channel")
        return super().post(message, key=key)


def test_a_message_the_chat_refuses_for_good_is_given_up_on_the_record(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(POST)
    harness.engine.runtime.chat = RefusingChannel()
    run = harness.start("announce", {"order_id": "1043"})
    harness.advance(dt.timedelta(minutes=5))  # past any lease: nothing is tried again

    assert harness.run(run.id).status == "completed", "a refused message stops no run"
    with harness.database.session() as session:
        open_messages = session.scalars(
            select(Timer).where(Timer.kind == "notify", Timer.status != "done")
        ).all()
    assert open_messages == []
    refused = [
        e
        for e in views.audit_trail(harness.database, run.id)
        if e.action == "message.undeliverable"
    ]
    assert refused, "each refusal is audited"
    assert all("not_in_channel" in (event.reason or "") for event in refused)
