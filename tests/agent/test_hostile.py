"""A hostile or broken model: what it writes reaches the people deciding as inert text of a
bounded size (no Slack mention, broadcast or link that pings or phishes from a card), and a
model that never answers leaves the facts within the step's budget."""

from __future__ import annotations

import datetime as dt
import textwrap
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.adapters.slack.blocks import Rendered, render
from bot.adapters.slack.text import escape
from bot.chat.messages import Card, Message
from bot.config import Settings
from bot.engine.steps.approval import approval_card
from bot.harness import Harness
from bot.llm.models import Models
from bot.procedure.loader import load_text
from storage.database import Database
from storage.models import Run, Timer
from tests.agent.conftest import REFUND, MakeHarness
from tests.agent.test_draft import BRIEF as DRAFT_BRIEF
from tests.agent.test_draft import REPLY
from tests.agent.test_judge import CLAIM, QUESTION
from tests.agent.test_prepare import BRIEF, PACKAGE
from tests.llm.fake_openai import FakeOpenAI, hang, json_reply, text

PINGS = (
    "Approve now <@U09EVIL> <@U09EVIL|boss> <!subteam^S09ALL> <#C09GENERAL> <!channel> "
    "<!here> <https://evil.example/login|Open the refund form>"
)
LIVE = ("<@U09EVIL", "<!subteam^S09ALL", "<#C09GENERAL", "<!channel>", "<!here>", "<https:")


def _slack(card: Card) -> Rendered:
    return render(Message(to="C02SUPPORT", text="please decide", card=card))


def _live_syntax(rendered: Rendered) -> list[str]:
    """What would ping or link from the card, or from its full text in the thread."""
    text = str(rendered.blocks) + escape(rendered.overflow or "")
    return [syntax for syntax in LIVE if syntax in text]


def test_a_package_full_of_mentions_and_links_pings_nobody_from_the_card(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    package = PACKAGE | {
        "summary": PINGS + " " + "x" * 5_000_000,
        "findings": [{"text": PINGS, "evidence": ["Reason"]}] * 500,
        "draft": PINGS,
    }
    fake_openai.on(BRIEF, json_reply(package))
    harness = make_harness(models)
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})
    (approval,) = harness.pending(run.id)

    prepared = approval.package["prepared"]
    assert prepared["source"] == "model"
    assert len(prepared["summary"]) <= 2_000  # not 5 MB in the run, the approval and audit
    assert "@U09EVIL" in prepared["summary"]
    assert "<@U09EVIL>" not in prepared["summary"]
    rendered = _slack(approval_card(approval))
    assert _live_syntax(rendered) == []
    assert len(rendered.overflow or "") < 60_000  # the thread gets a few replies, not 1,700


def test_a_judge_s_reason_pings_nobody_from_the_choice_card(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    fake_openai.on(
        QUESTION, json_reply({"option": "Pay the claim", "confidence": 0.3, "reason": PINGS})
    )
    harness = make_harness(models, CLAIM)
    run = harness.start("claim", {"order_id": "1042", "story": "The box arrived crushed."})
    (choice,) = harness.pending(run.id)
    assert "@U09EVIL" in dict(approval_card(choice).fields)["Suggested"]
    assert _live_syntax(_slack(approval_card(choice))) == []


def test_a_model_that_never_answers_leaves_the_facts_within_the_budget(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    """The models fixture allows 1 s a try and two retries: 3 s and more of waiting, where
    the step's budget is 1 s."""
    fake_openai.on(BRIEF, hang())
    harness = make_harness(models, REFUND.replace("budget: 30s", "budget: 1s"))
    started = time.monotonic()
    run = harness.start("refund", {"order_id": "1042", "reason": "arrived broken"})
    waited = time.monotonic() - started
    (approval,) = harness.pending(run.id)
    prepared: dict[str, Any] = approval.package["prepared"]
    assert prepared["source"] == "facts"
    assert "1 s budget" in prepared["note"]
    assert waited < 2.0


def _until(condition: Callable[[], bool], seconds: float = 3.0) -> bool:
    """Wait for ``condition`` (checked every 10 ms) at most ``seconds``."""
    deadline, tick = time.monotonic() + seconds, threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            return False
        tick.wait(0.01)
    return True


def test_a_slow_model_keeps_the_worker_s_claim_on_the_run(
    database: Database, fake_openai: FakeOpenAI, models: Models
) -> None:
    """A request may take the service's timeout, and again for each retry: longer than the
    worker's lease on the run. The claim is renewed meanwhile, so no other worker takes the
    run over (and asks the model again) while the first still waits for its answer."""
    fake_openai.on(BRIEF, hang())
    short_lease = Settings.model_construct(lease_seconds=0.3)  # renewed every 0.1 s
    loaded = load_text(textwrap.dedent(REFUND), "sops/refund.yml")
    harness = Harness.open(database, [loaded], settings=short_lease, models=models)
    try:
        runs: list[str] = []
        started = threading.Thread(
            target=lambda: runs.append(
                harness.start("refund", {"order_id": "1042", "reason": "broken"}).id
            )
        )
        started.start()
        assert _until(lambda: len(fake_openai.requests) == 1)
        harness.clock.advance(dt.timedelta(hours=1))  # far past the lease it started with

        def held() -> bool:
            with database.session() as session:
                leases = session.scalars(
                    select(Timer.lease_until).where(Timer.status == "claimed")
                ).all()
            now = harness.clock.now().replace(tzinfo=None)
            return any(lease is not None and lease.replace(tzinfo=None) > now for lease in leases)

        renewed = _until(held, seconds=1.0)
        fake_openai.release()
        started.join(timeout=10)
        assert renewed, "the claim ran out while the model was being asked"
        (run_id,) = runs
        assert harness.run(run_id).status == "waiting_approval"
    finally:
        harness.close()


def test_a_model_answer_after_the_run_was_cancelled_changes_nothing(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    fake_openai.on(BRIEF, hang(), json_reply(PACKAGE))
    harness = make_harness(models)
    worker = threading.Thread(
        target=harness.start, args=("refund", {"order_id": "1042", "reason": "broken"})
    )
    worker.start()
    assert _until(lambda: len(fake_openai.requests) == 1)
    with harness.database.session() as session:
        (run_id,) = session.scalars(select(Run.id)).all()
    harness.engine.cancel(run_id, "U01MARIA", "customer withdrew the request")
    fake_openai.release()  # the model answers now, a package and all
    worker.join(timeout=10)
    assert not worker.is_alive()

    run = harness.run(run_id)
    assert run.status == "cancelled"
    assert harness.pending(run_id) == []
    assert harness.tool_calls("crm.refund") == []
    assert len(fake_openai.requests) == 2  # the hung try, and the answer: never asked again


def test_a_held_back_draft_pings_nobody_from_the_task_card(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    fake_openai.on(DRAFT_BRIEF, text(f"Guaranteed refund! {PINGS} " + "y" * 1_000_000))
    harness = make_harness(models, REPLY)
    run = harness.start("reply", {"order_id": "1042", "complaint": "It arrived broken."})
    (task,) = harness.pending(run.id)
    held_back = dict(approval_card(task).fields)["The model's draft (held back)"]
    assert held_back.startswith("Guaranteed refund! Approve now @U09EVIL")
    assert len(held_back) <= 4_000
    assert _live_syntax(_slack(approval_card(task))) == []


def test_a_service_error_quoting_the_brief_pings_nobody_from_the_fallback(
    make_harness: MakeHarness, fake_openai: FakeOpenAI, models: Models
) -> None:
    """A 400's message may quote the request (this fake's does): the card says why there is
    no suggestion without turning the quoted case data into a mention."""
    harness = make_harness(models, CLAIM)  # no rule: the fake answers 400, quoting the brief
    run = harness.start("claim", {"order_id": "<@U09EVIL>", "story": "Crushed."})
    (choice,) = harness.pending(run.id)
    suggested = dict(approval_card(choice).fields)["Suggested"]
    assert suggested.startswith("nothing: the model gave no usable verdict")
    assert "(400)" in suggested
    assert "@U09EVIL" in suggested
    assert "<@U09EVIL>" not in suggested
