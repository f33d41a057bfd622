"""Free text in the real console: ``/sop`` with a request in plain words starts the right
procedure with what it named, asks for the rest, and the run starts."""

from __future__ import annotations

from tests.console.conftest import console as console
from tests.console.terminal import Console

REASON_QUESTION = "Why does the customer get a refund?: "


def test_a_request_in_plain_words_starts_the_refund_and_asks_for_the_reason(
    console: Console,
) -> None:
    routed = console.type_until(
        "/sop my order 1042 arrived broken, I want my money back", REASON_QUESTION
    )
    assert "That sounds like Refund a customer order: /sop run refund order_id=1042" in routed
    assert "Which order" not in routed, "the order number was in the request"
    started = console.type("arrived broken")
    assert "Started Refund a customer order as run r-" in started


def test_a_request_nothing_fits_points_to_the_list(console: Console) -> None:
    answer = console.type("/sop what's the wifi password")
    assert "None of the procedures you can start fits" in answer
    assert "/sop list" in answer
