"""The offline router ranks the sample procedures for requests typed as people type them,
refuses what none of them does, and never offers a procedure it was not given."""

from __future__ import annotations

import pytest

from bot.procedure.model import Procedure
from bot.routing.offline import OfflineRouter

ROUTER = OfflineRouter()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my order 1042 arrived broken, I want my money back", "refund-request"),
        ("UPS broke half the boxes, claim CL-7044 pls", "freight-claim"),
        ("dunning for inv 3001", "invoice-collections"),
        ("book vacation from 2026-12-21 to 2026-12-31", "pto-request"),
        ("send the weekly kpi report now", "weekly-kpi-report"),
        ("we just closed acme, start onboarding", "client-onboarding"),
        ("frieght claim cl-7002", "freight-claim"),
    ],
)
def test_a_clear_request_ranks_its_procedure_first_and_confidently(
    samples: dict[str, Procedure], text: str, expected: str
) -> None:
    route = ROUTER.route(text, list(samples.values()))
    assert route.best is not None
    assert route.best.procedure.id == expected
    assert route.confident


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Der Kunde möchte sein Geld für Bestellung 5120 zurück", "refund-request"),
        ("necesito vacaciones del 2026-12-22 al 2026-12-31", "pto-request"),
        ("Le client n'a toujours pas payé la facture 3004, relance-le", "invoice-collections"),
    ],
    ids=["German", "Spanish", "French"],
)
def test_a_request_in_another_language_finds_the_english_procedure(
    samples: dict[str, Procedure], text: str, expected: str
) -> None:
    # The intents are written in English only; the sentence embeddings carry the meaning.
    route = ROUTER.route(text, list(samples.values()))
    assert not route.out_of_scope
    assert route.best is not None
    assert route.best.procedure.id == expected


@pytest.mark.parametrize(
    "text", ["what's the wifi password", "install photoshop on my laptop", "reset my password pls"]
)
def test_a_request_no_procedure_does_is_out_of_scope(
    samples: dict[str, Procedure], text: str
) -> None:
    route = ROUTER.route(text, list(samples.values()))
    assert route.out_of_scope
    assert route.best is None
    assert not route.confident


def test_a_request_between_two_procedures_is_not_confident_and_ranks_both_on_top(
    samples: dict[str, Procedure],
) -> None:
    route = ROUTER.route(
        "the shipment arrived broken and the customer wants their money back",
        list(samples.values()),
    )
    assert not route.confident
    assert {candidate.procedure.id for candidate in route.candidates[:2]} == {
        "refund-request",
        "freight-claim",
    }


def test_only_the_procedures_given_are_ranked(samples: dict[str, Procedure]) -> None:
    allowed = [samples["pto-request"], samples["weekly-kpi-report"]]
    route = ROUTER.route("my order 1042 arrived broken, I want my money back", allowed)
    assert {candidate.procedure.id for candidate in route.candidates} <= {
        "pto-request",
        "weekly-kpi-report",
    }
    assert route.out_of_scope, "a refund request fits neither time off nor the KPI report"


def test_with_no_procedure_to_start_everything_is_out_of_scope() -> None:
    route = ROUTER.route("refund order 1042", [])
    assert route.out_of_scope
    assert route.candidates == ()
