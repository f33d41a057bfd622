"""A thread per run: the run's first message is a root in its channel, everything after it
goes into that root's thread, and the root shows the outcome when the run ends."""

from __future__ import annotations

import datetime as dt

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
