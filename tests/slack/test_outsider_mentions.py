"""Slack Connect through the real Bolt app: a guest of another organisation mentions sopbot in
a shared channel. A mention is answered in its thread, where that organisation reads it (a
read is answered in the asker's DM instead), so their reads are refused (nothing of this
workspace's runs or approvals is sent them) and audited,
and their request in words is refused as a start, with why, before anything is routed."""

from __future__ import annotations

from typing import Any

from tests.slack.fake_web_api import BOT_USER, TEAM
from tests.slack.surface import Surface

SUPPORT = "C02SUPPORT"
VENDOR = "U08VENDOR"


def _mention(surface: Surface, words: str, ts: str, user: str = VENDOR) -> list[dict[str, Any]]:
    """``user`` writes ``@sopbot words`` in #support; what sopbot answered in its thread."""
    said = f"<@{BOT_USER}> {words}"
    message = {"type": "message", "user": user, "text": said, "ts": ts}
    surface.slack.messages.setdefault(SUPPORT, []).append(message)  # as Slack keeps it
    event = {"type": "app_mention", "user": user, "text": said, "ts": ts, "channel": SUPPORT}
    surface.sender.event({**event, "event_ts": ts, "team": TEAM}, event_id=f"Ev{ts}")
    surface.work()
    return [m for m in surface.slack.posted(SUPPORT) if m.get("thread_ts") == ts]


def _dm(surface: Surface, user: str) -> list[str]:
    """What sopbot wrote in its direct conversation with ``user``."""
    return [m["text"] for m in surface.slack.posted("D" + user[1:])]


def test_a_guest_of_another_organisation_reads_no_runs_or_approvals(surface: Surface) -> None:
    surface.slack.add_user(VENDOR, "vendor", team_id="T0OTHERORG")
    surface.sender.command("run refund order_id=1042 reason=damaged", user="U02DEV")
    surface.work()
    (run,) = surface.runs()
    (approval,) = surface.door.pending()

    for number, words in enumerate(["pending", f"status {run.id}", "history", "list"]):
        assert _mention(surface, words, f"1700000700.{number:06d}") == [], words
        answer = _dm(surface, VENDOR)[-1]  # a read is answered to the asker alone
        assert answer.startswith(f"{VENDOR} is not a person of this workspace"), words
        assert [seen for seen in (run.id, approval.id) if seen in answer] == [], words
    refused = surface.audit("read")
    assert [(event.actor, event.outcome) for event in refused] == [(VENDOR, "refused")] * 4

    assert _mention(surface, "pending", "1700000701.000000", user="U02DEV") == []
    assert approval.id in _dm(surface, "U02DEV")[-1], "this workspace's people still read them"


def test_a_guest_of_another_organisation_asking_in_words_is_told_why_nothing_starts(
    surface: Surface,
) -> None:
    surface.slack.add_user(VENDOR, "vendor", is_stranger=True, team_id="T0OTHERORG")
    words = "my order 1042 arrived broken, I want my money back"
    (answer,) = _mention(surface, words, "1700000800.000000")
    assert answer["text"].startswith(f"{VENDOR} is not a person of this workspace")
    assert "None of the procedures" not in answer["text"]
    assert surface.runs() == []
    (refusal,) = surface.audit("run.start")
    assert (refusal.actor, refusal.outcome, refusal.detail) == (
        VENDOR,
        "refused",
        {"request": words},
    )
