"""What comes out of the front door is typed read models, never ORM rows."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.app.door import Started
from bot.app.views import OpenItem, ProcedureList, RunDetail, RunSummary, StepLine
from storage.models import Base
from tests.app.door import door_of
from tests.engine.conftest import MakeHarness, refund_sop


def _orm_rows(value: Any) -> list[Any]:
    """Every ORM object reachable from ``value`` (through dataclasses and containers)."""
    if isinstance(value, Base):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            row
            for item in dataclasses.fields(value)
            for row in _orm_rows(getattr(value, item.name))
        ]
    if isinstance(value, (list, tuple)):
        return [row for item in value for row in _orm_rows(item)]
    if isinstance(value, dict):
        return [row for item in value.values() for row in _orm_rows(item)]
    return []


def test_every_read_is_a_frozen_view_without_orm_rows(make_harness: MakeHarness) -> None:
    harness = make_harness(refund_sop())
    door = door_of(harness)
    started = door.start("refund", {"order_id": "1042", "reason": "damaged"}, by="U02DEV")
    assert isinstance(started, Started)
    harness.engine.run_due()

    detail = door.run(started.run.id)
    history = door.history()
    pending = door.pending()
    listed = door.procedures("U02DEV")
    assert isinstance(detail, RunDetail)
    assert isinstance(detail.run, RunSummary)
    assert [type(step) for step in detail.steps] == [StepLine]
    assert detail.steps[0].operation == "crm.get_order"
    assert [type(item) for item in detail.waiting_for] == [OpenItem]
    assert [type(run) for run in history] == [RunSummary]
    assert [type(item) for item in pending] == [OpenItem]
    assert pending[0].summary == "Refund 640.0 on 1042"
    assert isinstance(listed, ProcedureList)
    assert listed.procedures[0].command == "refund"
    for view in (started, detail, history, pending, listed):
        assert _orm_rows(view) == [], view
    with pytest.raises(dataclasses.FrozenInstanceError):
        detail.run.status = "completed"  # type: ignore[misc]


def test_my_pending_lists_only_what_i_may_decide(make_harness: MakeHarness) -> None:
    harness = make_harness(refund_sop())
    door = door_of(harness)
    door.start("refund", {"order_id": "1042", "reason": "damaged"}, by="U02DEV")
    harness.engine.run_due()
    (waiting,) = door.pending()
    assert door.pending("U03SAM") == [waiting], "Sam is in @finance"
    assert door.pending("U06ANA") == []
