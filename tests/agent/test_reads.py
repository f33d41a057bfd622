"""The reads a prepare step's model makes, as people see them: the model writes their
arguments, so they reach the card as inert text of a bounded size (no mention that pings,
no 15 KB of them in the run, the approval and the thread), and a refused read's arguments
are kept in the audit only as far as a person reads them. (Arguments over 16 KiB are
refused before they are read at all: tests/llm/test_tools.py.)"""

from __future__ import annotations

from bot.engine.steps.approval import approval_card
from bot.llm.models import Models
from storage import audit
from tests.agent.conftest import REFUND, MakeHarness
from tests.agent.test_hostile import _live_syntax, _slack
from tests.agent.test_prepare import BRIEF, PACKAGE
from tests.llm.fake_openai import FakeOpenAI, json_reply, tool_call

SEARCHES = REFUND.replace(
    "reads: [crm.get_order, crm.get_ticket]", "reads: [crm.get_order, jira.search_issues]"
)
PING = "<@U09EVIL> <!subteam^S09ALL> <#C09GENERAL>"
HUGE = "x" * 15_000
"""Long, but under the 16 KiB a call's arguments may have."""


def test_a_read_the_model_wrote_reaches_the_card_inert_and_bounded(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    jql = f'project = BUG AND labels = "{PING} {HUGE}"'
    package = PACKAGE | {"findings": [{"text": "Searched.", "evidence": ["R1"]}] * 20}
    fake_openai.on(BRIEF, tool_call("jira_search_issues", jql=jql), json_reply(package))
    harness = make_harness(models, SEARCHES)
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})
    assert run.status == "waiting_approval", run.reason
    (approval,) = harness.pending(run.id)

    prepared = approval.package["prepared"]
    (read,) = prepared["reads"]
    assert read.startswith("R1 jira.search_issues(jql='project = BUG AND labels = \"@U09EVIL")
    assert len(read) <= 300
    assert len(str(approval.package)) < 20_000  # not 20 x 15 KB in the run and approval
    rendered = _slack(approval_card(approval))
    assert _live_syntax(rendered) == []
    assert len(rendered.overflow or "") < 20_000


def test_a_refused_read_keeps_a_bounded_record_of_its_arguments(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    """The SOP limits order ids to 10xx: 15 KB of one is refused, and its record says
    which read it was without holding the 15 KB."""
    fake_openai.on(BRIEF, tool_call("crm_get_order", order_id=HUGE), json_reply(PACKAGE))
    harness = make_harness(models)
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})
    with harness.database.session() as session:
        events = audit.events_for_run(session, run.id)
    (refused,) = [event for event in events if event.action == "agent.refused"]
    assert refused.detail["tool"] == "crm_get_order"
    assert refused.detail["arguments"].startswith('{"order_id": "xxx')
    assert len(str(refused.detail)) < 1_000
