"""A limit written once under ``constants:`` is the number the connector boundary checks,
and the value expressions read: the two can never drift apart."""

from __future__ import annotations

from pathlib import Path

from bot.catalogue.registry import build_catalogue
from bot.guardrails.check import check_call
from bot.procedure import expressions
from bot.procedure.loader import load_file, load_text
from bot.procedure.model import Procedure

REPO = Path(__file__).resolve().parents[2]

SOP = """\
id: constants
title: Constants
owner: U01MARIA
version: 1
review: {every: 90d, last_reviewed: 2026-11-01}
trigger: {command: constants}
constants:
  refund_limit: 750
  reasons: [damaged, late]
permissions:
  allow: [crm.refund]
  limits:
    crm.refund:
      amount: {max: constants.refund_limit, min: 1}
      reason: {one_of: constants.reasons}
steps:
  - id: done
    end: completed
"""


def _procedure(text: str = SOP) -> Procedure:
    loaded = load_text(text)
    assert loaded.procedure is not None, [d.render() for d in loaded.diagnostics]
    return loaded.procedure


def test_a_limit_that_names_a_constant_holds_its_value() -> None:
    limit = _procedure().permissions.limits["crm.refund"]
    assert (limit["amount"].max, limit["amount"].min) == (750, 1)
    assert limit["reason"].one_of == ["damaged", "late"]


def test_the_boundary_refuses_a_call_over_the_constant() -> None:
    refund = build_catalogue().get("crm.refund")
    assert refund is not None
    over = check_call(_procedure(), refund, {"order_id": "1", "amount": 751, "reason": "late"})
    assert over is not None
    assert over.message == "crm.refund.amount is 751, above the limit of 750"
    wrong = check_call(_procedure(), refund, {"order_id": "1", "amount": 10, "reason": "bored"})
    assert wrong is not None
    assert wrong.rule == "limit"
    fine = check_call(_procedure(), refund, {"order_id": "1", "amount": 750, "reason": "late"})
    assert fine is None


def test_the_sample_refund_writes_its_limits_once() -> None:
    procedure = load_file(REPO / "sops" / "refund-request.yml").procedure
    assert procedure is not None
    assert procedure.constants == {"approval_above": 500, "refund_limit": 2000}
    assert procedure.permissions.limits["crm.refund"]["amount"].max == 2000
    context = {"constants": procedure.constants, "refund_amount": 640}
    assert expressions.test("refund_amount > constants.approval_above", context)
    assert not expressions.test("refund_amount > constants.refund_limit", context)


def test_the_raw_data_is_left_as_written() -> None:
    loaded = load_text(SOP)
    assert loaded.data["permissions"]["limits"]["crm.refund"]["amount"]["max"] == (
        "constants.refund_limit"
    )
