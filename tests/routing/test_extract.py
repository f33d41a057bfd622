"""Inputs are taken from the request only when they are clearly there and fit the input."""

from __future__ import annotations

import pytest

from bot.app.commands.parser import parse
from bot.app.commands.routed import run_words
from bot.procedure.loader import load_text
from bot.procedure.model import Procedure
from bot.routing.extract import extract
from bot.routing.route import Candidate
from tests.promises.test_secrets import PASSWORD, RESET


@pytest.mark.parametrize(
    ("sop", "text", "expected"),
    [
        ("refund-request", "my order 1042 arrived broken", {"order_id": "1042"}),
        ("refund-request", "pls refund order #7781 charged twice", {"order_id": "7781"}),
        (
            "refund-request",
            "partial refund of $40 on order 2231",
            {"order_id": "2231", "amount": "40"},
        ),
        (
            "refund-request",
            "refund order 1042 reason: wrong color",
            {"order_id": "1042", "reason": "wrong color"},
        ),
        ("freight-claim", "frieght claim cl-7002", {"claim_id": "CL-7002"}),
        ("invoice-collections", "dunning for inv 3001", {"invoice_id": "INV-3001"}),
        (
            "pto-request",
            "book vacation from 2026-12-21 to 2026-12-31",
            {"start": "2026-12-21", "end": "2026-12-31"},
        ),
        ("pto-request", "need 3 days of PTO next week", {"days": "3"}),
        ("weekly-kpi-report", "post last month's KPIs to #ops", {"period": "last_month"}),
        ("sla-priority-routing", "triage ticket 7001", {"ticket_id": "7001"}),
    ],
)
def test_what_is_clearly_there_is_found(
    samples: dict[str, Procedure], sop: str, text: str, expected: dict[str, str]
) -> None:
    assert extract(samples[sop], text) == expected


@pytest.mark.parametrize(
    ("sop", "text"),
    [
        ("refund-request", "refund 1042 and 1043"),  # a number, but for which input?
        ("refund-request", "order 1042 or order 1043, not sure"),  # two orders: which one?
        ("refund-request", "order ABC is broken"),  # not an order number (^[0-9]+$)
        ("pto-request", "need 30 days of PTO"),  # above the maximum of 15 days
        ("pto-request", "off from 2026-12-21"),  # one date for two date inputs
        ("freight-claim", "claim CL-7001 or CL-7002"),  # two claims
    ],
)
def test_what_is_unclear_or_does_not_fit_is_left_to_be_asked(
    samples: dict[str, Procedure], sop: str, text: str
) -> None:
    assert extract(samples[sop], text) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my order 10\u200b42 arrived broken", {"order_id": "1042"}),  # a zero-width space
        ("order_id=\u200e1042 please", {"order_id": "1042"}),  # a direction mark
        ("my order 1042\u00e9 arrived broken", {}),  # not the number the person wrote
        ("my order 1042.5 arrived broken", {}),
    ],
)
def test_a_value_is_read_as_the_person_sees_it_and_whole(
    samples: dict[str, Procedure], text: str, expected: dict[str, str]
) -> None:
    """Invisible characters must not cut an order number short: 10<ZWSP>42 was order 10."""
    assert extract(samples["refund-request"], text) == expected


def test_a_secret_input_is_never_taken_from_the_words() -> None:
    """The answer shows what was found in the channel: a secret is left to the form."""
    procedure = load_text(RESET).procedure
    assert procedure is not None
    said = f"reset the portal account for account: jdoe password: {PASSWORD}"
    assert extract(procedure, said) == {"account": "jdoe"}


@pytest.mark.parametrize("reason", ['x" amount="5000', 'ends with a quote"'])
def test_the_run_line_reads_back_as_the_inputs_found(
    samples: dict[str, Procedure], reason: str
) -> None:
    """A quote in the words must not end the value and start another input on Start."""
    candidate = Candidate(samples["refund-request"], 1.0)
    inputs = {"order_id": "1042", "reason": reason}
    command = parse(f"run {run_words(candidate, inputs)}")
    assert (command.args, command.options) == (("refund",), inputs)
