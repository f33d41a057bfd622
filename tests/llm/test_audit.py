"""Every model request lands in the audit log: feature, model, tokens, latency and outcome,
with or without a run; never the prompt's text (it may be a customer's) or the key."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import BaseModel

from bot.clock.time import ManualClock
from bot.llm.errors import ModelUnavailable
from bot.llm.messages import user
from bot.llm.models import Models
from bot.llm.settings import Feature
from bot.llm.usage import AuditRecorder
from storage import audit
from storage.database import Database
from tests.llm.fake_openai import KEY, FakeOpenAI, json_reply, server_error

NOW = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
CUSTOMER_TEXT = "Ana Ruiz, 12 Calle Mayor, says order 1042 arrived broken"


class Route(BaseModel):
    sop: str


def test_a_call_without_a_run_is_audited_by_feature_with_its_tokens(
    database: Database, fake_openai: FakeOpenAI, models: Models
) -> None:
    fake_openai.on("order 1042", json_reply({"sop": "refund"}))
    model = models.model_for(Feature.ROUTING)
    assert model is not None

    model.answer(
        [user(CUSTOMER_TEXT)],
        Route,
        record=AuditRecorder(database, ManualClock(NOW)),
    )

    with database.session(read_only=True) as session:
        [event] = audit.recent(session)
    assert (event.action, event.actor, event.outcome, event.run_id) == (
        "llm.routing",
        "sopbot",
        "answered",
        None,
    )
    assert event.at.replace(tzinfo=dt.UTC) == NOW
    assert event.duration_ms is not None
    assert event.duration_ms > 0
    assert event.detail == {
        "model": "gpt-test",
        "attempts": 1,
        "prompt_tokens": 10,
        "completion_tokens": 2,
        "messages": 1,
        "prompt_chars": len(json.dumps([user(CUSTOMER_TEXT)])),
        "answer_chars": len('{"sop": "refund"}'),
    }
    stored = json.dumps(event.detail)
    assert "Ana" not in stored
    assert "refund" not in stored
    assert KEY not in stored


def test_a_runs_calls_join_its_timeline_failures_included(
    database: Database, fake_openai: FakeOpenAI, models: Models
) -> None:
    fake_openai.on("order 1042", server_error())
    model = models.model_for(Feature.JUDGE)
    assert model is not None
    record = AuditRecorder(database, ManualClock(NOW), run_id="r-cd1df22a48", step_id="decide")

    with pytest.raises(ModelUnavailable):
        model.answer([user(CUSTOMER_TEXT)], Route, record=record)

    with database.session(read_only=True) as session:
        [event] = audit.events_for_run(session, "r-cd1df22a48")
    assert (event.action, event.step_id, event.outcome) == ("llm.judge", "decide", "unavailable")
    assert event.detail["attempts"] == 3
    assert event.detail["error"] == "InternalServerError"
    assert "prompt_tokens" not in event.detail  # no answer, no token count
