"""Forbidden phrases are caught however they are dressed up, and only as whole words."""

from __future__ import annotations

import pytest

from bot.guardrails.text import contains_phrase


@pytest.mark.parametrize(
    "text",
    [
        "This refund is GUARANTEED.",
        "this refund is guar\u200banteed",
        "this refund is g-u-a-r-a-n-t-e-e-d",
        "this refund is *guaran*teed",
        "this refund is \uff47\uff55\uff41\uff52\uff41\uff4e\uff54\uff45\uff45\uff44",  # full-width
    ],
)
def test_a_disguised_forbidden_word_is_caught(text: str) -> None:
    assert contains_phrase(text, "guaranteed")


def test_a_phrase_of_several_words_matches_across_spacing_and_case() -> None:
    assert contains_phrase("Sorry, that was\n  OUR   fault!", "our fault")
    assert not contains_phrase("our team found the fault", "our fault")


def test_a_short_word_does_not_match_inside_other_words() -> None:
    assert not contains_phrase("the basic kit ships today", "sick")
    assert not contains_phrase("post it in the #support channel", "<!channel>")
    assert contains_phrase("heads up <!channel>: outage", "<!channel>")


def test_an_empty_phrase_matches_nothing() -> None:
    assert not contains_phrase("anything", "  ")
