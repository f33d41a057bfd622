"""The call check at the connector boundary: disclosures read like forbidden phrases, and no
number that is not finite gets past a limit, or past the check at all."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from bot.catalogue.operation import Operation
from bot.catalogue.registry import build_catalogue
from bot.guardrails.check import check_call
from bot.procedure.loader import load_text
from bot.procedure.model import Procedure
from tests.engine.conftest import refund_sop

DISCLOSURE = "We can't promise a date; refunds take 5 to 10 business days."


def _procedure(**replacements: str) -> Procedure:
    loaded = load_text(textwrap.dedent(refund_sop(**replacements)), "sops/refund.yml")
    assert loaded.procedure is not None, [d.render() for d in loaded.diagnostics]
    return loaded.procedure


def _operation(name: str) -> Operation:
    operation = build_catalogue().get(name)
    assert operation is not None
    return operation


def _email(body: str) -> dict[str, Any]:
    return {"to": ["a@example.com"], "subject": "Your refund", "body": body}


@pytest.mark.parametrize(
    "body",
    [
        "Done. We can\u2019t promise a date; refunds take 5 to 10 business days.",
        "Done. We can't promise a date;\nrefunds take 5\u00a0to\u00a010 business days!",
        "Done. *We can't promise a date*, refunds take 5 to 10 business days",
        "Done. WE CAN'T PROMISE A DATE - REFUNDS TAKE 5 TO 10 BUSINESS DAYS.",
    ],
    ids=["curly apostrophe", "line break and no-break spaces", "markup", "capitals"],
)
def test_a_disclosure_written_with_other_quotes_or_spacing_still_counts(body: str) -> None:
    procedure = _procedure(**{"Refunds take 5 to 10 business days.": DISCLOSURE})
    assert check_call(procedure, _operation("email.send"), _email(body)) is None


def test_a_disclosure_cut_short_is_missing() -> None:
    procedure = _procedure(**{"Refunds take 5 to 10 business days.": DISCLOSURE})
    verdict = check_call(
        procedure, _operation("email.send"), _email("We can't promise a date; refunds take 5")
    )
    assert verdict is not None
    assert verdict.rule == "missing_disclosure"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
    ],
)
def test_a_non_finite_amount_never_passes_the_limit(amount: float, shown: str) -> None:
    verdict = check_call(
        _procedure(),
        _operation("crm.refund"),
        {"order_id": "1043", "amount": amount, "reason": "damaged"},
    )
    assert verdict is not None
    assert verdict.message == f"crm.refund.amount must be a finite number, not {shown}"


@pytest.mark.parametrize("amount", ["nan", "inf", "-Infinity"])
def test_a_non_finite_number_written_as_text_cannot_be_checked_against_a_limit(
    amount: str,
) -> None:
    verdict = check_call(
        _procedure(),
        _operation("crm.refund"),
        {"order_id": "1043", "amount": amount, "reason": "damaged"},
    )
    assert verdict is not None
    assert verdict.message == (
        f"crm.refund.amount is '{amount}', not a finite number, so its limit cannot be checked"
    )


def test_a_non_finite_number_is_refused_where_no_limit_is_set() -> None:
    procedure = _procedure(**{"allow: [crm.refund, email.send]": "allow: [crm.update_deal]"})
    verdict = check_call(
        procedure,
        _operation("crm.update_deal"),
        {"deal_id": "D-1", "fields": {"discount": float("inf")}},
    )
    assert verdict is not None
    assert verdict.message == "crm.update_deal.fields.discount must be a finite number, not inf"


def test_a_limit_that_is_not_a_number_never_reaches_the_boundary() -> None:
    """NaN as a limit would let every amount through (every comparison with it is false):
    the SOP file is refused where the limit stands, before anything runs."""
    loaded = load_text(
        textwrap.dedent(refund_sop(**{"amount: {max: 1000}": "amount: {max: .nan}"})),
        "sops/refund.yml",
    )
    assert loaded.procedure is None
    assert [(d.code, d.location, d.message) for d in loaded.diagnostics] == [
        ("SOP104", "permissions.limits.crm.refund.amount.max", "Input should be a finite number")
    ]
