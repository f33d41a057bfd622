"""The App Home tab, published through the real Bolt app when Slack reports it opened: Dev
sees the approval and the task waiting for him (with their buttons), his recent runs, the
recent escalation, and the procedures he may start with their usage."""

from __future__ import annotations

import datetime as dt
import textwrap
import threading
from typing import Any

import pytest

from tests.slack.conftest import MakeSurface
from tests.slack.fake_web_api import FakeSlack
from tests.slack.surface import Surface
from tests.slack.test_alerts import TICKET

EXPENSE = textwrap.dedent(
    """\
    id: expense
    title: Approve an expense
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: expense}
    inputs:
      amount: {type: number}
    steps:
      - id: approve
        approval:
          approvers: [U02DEV]
          summary: "Expense of {{ inputs.amount }} USD"
          timeout: 2d
      - id: done
        end: completed
    """
)


@pytest.fixture
def surface(make_surface: MakeSurface, slack: FakeSlack) -> Surface:
    slack.add_channel("C03VP", "vp-escalations")
    return make_surface(TICKET, EXPENSE)


def _opened(surface: Surface, user: str) -> dict[str, Any]:
    """Slack reports that ``user`` opened the Home tab; the view published for them."""
    event = {
        "type": "app_home_opened",
        "user": user,
        "channel": "D" + user[1:],
        "tab": "home",
        "event_ts": "1700000000.000100",
    }
    assert surface.sender.event(event, event_id="Ev0HOME01").status == 200
    tick = threading.Event()
    for _ in range(500):  # the listener publishes after the ack: wait up to 5 s
        published = surface.slack.calls_to("views.publish")
        if published:
            (call,) = published
            assert call.args["user_id"] == user
            view = call.args["view"]
            return dict(view) if isinstance(view, dict) else {}
        tick.wait(0.01)
    raise AssertionError("no Home tab was published")


def _texts(view: dict[str, Any]) -> str:
    return "\n".join(
        str(block.get("text", {}).get("text", "")) for block in view["blocks"] if "text" in block
    )


def test_the_home_tab_shows_what_is_mine_and_what_i_may_start(surface: Surface) -> None:
    surface.sender.command("run ticket ticket_id=T-1", user="U02DEV")  # its task times out
    surface.work()
    surface.clock.advance(dt.timedelta(days=1))
    surface.work()
    surface.sender.command("run ticket ticket_id=T-2", user="U02DEV")  # its task waits
    surface.sender.command("run expense amount=120", user="U01MARIA")  # Dev approves
    surface.work()
    by_status = {run.status: run for run in surface.runs() if run.sop_id == "first-response"}
    escalated, waiting = by_status["escalated"], by_status["waiting_human"]

    view = _opened(surface, "U02DEV")
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    text = _texts(view)
    assert "Expense of 120.0 USD" in text
    assert "Answer T-2" in text
    assert f"`{waiting.id}` first-response · waiting_human" in text
    assert f"`{escalated.id}` first-response:" in text  # the recent escalation, with why
    assert "`/sop run expense amount=&lt;number&gt;`" in text
    assert "`/sop run refund" in text
    buttons = [
        (element["action_id"], element["value"])
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert [action for action, _ in buttons] == ["complete", "approve", "reject"]  # soonest due
    assert all(value.startswith("a-") for _, value in buttons)


def test_a_home_tab_with_nothing_waiting_says_so(surface: Surface) -> None:
    view = _opened(surface, "U03SAM")
    text = _texts(view)
    assert "Nothing." in text
    assert "You have not started a run yet." in text


def test_a_guest_of_another_organisation_sees_why_the_home_tab_shows_nothing(
    surface: Surface,
) -> None:
    """A Slack Connect guest opening sopbot's Home tab reads none of this workspace's
    escalations, runs, approvals or procedures: the tab says why, and the read is audited."""
    surface.sender.command("run ticket ticket_id=T-1", user="U02DEV")  # its task times out
    surface.work()
    surface.clock.advance(dt.timedelta(days=1))
    surface.work()
    surface.sender.command("run expense amount=120", user="U01MARIA")  # waits for approval
    surface.work()
    surface.slack.add_user("U08VENDOR", "vendor", team_id="T0OTHERORG")

    view = _opened(surface, "U08VENDOR")
    assert view["type"] == "home"
    text = _texts(view)
    assert text.startswith("sopbot\nU08VENDOR is not a person of this workspace: only people")
    assert [run.id for run in surface.runs() if run.id in text] == []
    for hidden in ("Recent escalations", "Expense of 120", "/sop run", "first-response"):
        assert hidden not in str(view["blocks"]), hidden
    assert [block["type"] for block in view["blocks"]] == ["header", "section"]
    (refusal,) = surface.audit("read")
    assert (refusal.actor, refusal.outcome, refusal.detail) == (
        "U08VENDOR",
        "refused",
        {"command": "home"},
    )
