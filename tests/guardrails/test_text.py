"""Forbidden phrases are caught however they are dressed up, and only as whole words.

Each row below is a way someone tried (or might try) to slip a phrase past the guardrails;
the second table is the innocent text that must still go out.
"""

from __future__ import annotations

import pytest

from bot.guardrails.text import contains_phrase

CAUGHT = [
    # (phrase, text, what the text tries)
    ("guaranteed", "This refund is GUARANTEED.", "upper case"),
    ("guaranteed", "this refund is GuArAnTeEd", "mixed case"),
    ("guaranteed", "this refund is guar\u200banteed", "zero-width space"),
    ("guaranteed", "this refund is guar\u200canteed", "zero-width non-joiner"),
    ("guaranteed", "this refund is guar\u2060anteed", "word joiner"),
    ("guaranteed", "this refund is guar\ufeffanteed", "byte order mark"),
    ("guaranteed", "this refund is guar\u00adanteed", "soft hyphen"),
    ("guaranteed", "this refund is guar\u202eanteed", "bidi override"),
    ("guaranteed", "this refund is g-u-a-r-a-n-t-e-e-d", "letters joined by hyphens"),
    ("guaranteed", "this refund is g.u.a.r.a.n.t.e.e.d.", "letters joined by dots"),
    ("guaranteed", "this refund is g u a r a n t e e d", "spaced letters"),
    ("guaranteed", "this refund is g  u\ta\nr a n t e e d", "letters spaced by any blank"),
    ("guaranteed", "this refund is guar anteed", "a word split by a space"),
    ("guaranteed", "this refund is *guaran*teed", "markup inside the word"),
    ("guaranteed", "this refund is `guaranteed`", "code markup"),
    (
        "guaranteed",
        "this refund is \uff47\uff55\uff41\uff52\uff41\uff4e\uff54\uff45\uff45\uff44",
        "fullwidth",
    ),
    (
        "guaranteed",
        "this refund is \U0001d420\U0001d42e\U0001d41a\U0001d42b\U0001d41a\U0001d427\U0001d42d\U0001d41e\U0001d41e\U0001d41d",
        "mathematical bold",
    ),
    ("guaranteed", "this refund is gu\u0430r\u0430nteed", "Cyrillic a"),
    ("guaranteed", "this refund is guarant\u0435\u0435d", "Cyrillic e"),
    ("guaranteed", "this refund is g\u03c5aranteed", "Greek upsilon"),
    ("guaranteed", "this refund is GU\u0391RANTEED", "Greek capital alpha"),
    ("guaranteed", "this refund is g\u0301u\u0308a\u0300ranteed", "combining marks"),
    ("guaranteed", "this refund is g\u0336u\u0336a\u0336r\u0336anteed", "strike-through marks"),
    ("guaranteed", "this refund is gu\u00e1r\u00e1nt\u00e9\u00e9d", "accented letters"),
    ("guaranteed", "this refund is g-u-\u0430-r a n t\u200be e d", "several tricks at once"),
    ("our fault", "Sorry, that was\n  OUR   fault!", "spacing, line break and case"),
    ("our fault", "that was our-fault", "hyphen"),
    ("our fault", "that was our/fault", "slash"),
    ("our fault", "that was our.fault", "dot"),
    ("our fault", "that was our\u2014fault", "em dash"),
    ("our fault", "that was our_fault", "underscore"),
    ("our fault", "that was our\u00a0fault", "no-break space"),
    ("our fault", "that was our\u200bfault", "zero-width space between the words"),
    ("our fault", "that was ourfault", "words run together"),
    ("our fault", "that was \u043eur fault", "Cyrillic o"),
    ("our fault", "that was o\u03c5r fault", "Greek upsilon in a phrase"),
    ("our fault", "that was _our_ *fault*", "markup around each word"),
    ("our fault", "that was o u r f a u l t", "spaced letters of two words"),
    ("legal action", "we will take legal\u2013action", "en dash"),
    ("don't worry", "Don\u2019t worry about it", "a curly apostrophe for a straight one"),
    ("don\u2019t worry", "don't worry about it", "a straight apostrophe for a curly one"),
    ("don't worry", "dont worry about it", "the apostrophe left out"),
    ("don't worry", "DON\u02bcT WORRY", "a modifier-letter apostrophe"),
    ("guaranteed", "this refund is guar'anteed", "an apostrophe that is no contraction"),
    ("<!channel>", "heads up <!channel>: outage", "a Slack mention, as written"),
    ("<!channel>", "heads up <!CHANNEL>: outage", "a Slack mention in capitals"),
]

LET_THROUGH = [
    # (phrase, text, why it is innocent)
    ("our fault", "your faulty charger was replaced", "other words that contain the letters"),
    ("our fault", "our team found the fault", "the words, but not together"),
    ("our fault", "four faults were logged", "the words inside longer words"),
    ("our fault", "it was not your fault", "a different word before"),
    ("sick", "the basic kit ships today", "letters across two words"),
    ("guaranteed", "unguaranteed delivery", "inside a longer word"),
    ("guaranteed", "delivery is not guarantee-based", "a different word"),
    ("legal action", "illegal actions were reported", "inside longer words"),
    ("legal action", "legal team, then action", "the words of the phrase apart"),
    ("<!channel>", "post it in the #support channel", "the bare word of a Slack mention"),
    ("hell", "say hello to the team", "a word that starts the same"),
    ("hell", "he'll call you back", "a contraction"),
    ("ill", "I\u2019ll call you back", "a contraction with a curly apostrophe"),
    ("dont worry", "don't worry", "a contraction the phrase does not spell"),
]


@pytest.mark.parametrize(
    ("phrase", "text"),
    [(phrase, text) for phrase, text, _ in CAUGHT],
    ids=[trick for _, _, trick in CAUGHT],
)
def test_a_disguised_forbidden_phrase_is_caught(phrase: str, text: str) -> None:
    assert contains_phrase(text, phrase)


@pytest.mark.parametrize(
    ("phrase", "text"),
    [(phrase, text) for phrase, text, _ in LET_THROUGH],
    ids=[why for _, _, why in LET_THROUGH],
)
def test_innocent_text_is_not_flagged(phrase: str, text: str) -> None:
    assert not contains_phrase(text, phrase)


@pytest.mark.parametrize(
    "phrase",
    ["Guaranteed", "GUARAN-TEED", "gu\u0430ranteed", "g u a r a n t e e d"],
    ids=["capitalised", "hyphenated", "homoglyph", "spaced"],
)
def test_the_phrase_is_normalised_like_the_text(phrase: str) -> None:
    assert contains_phrase("this refund is guaranteed", phrase)


def test_an_empty_phrase_matches_nothing() -> None:
    assert not contains_phrase("anything", "  ")
    assert not contains_phrase("anything", "--\u200b--")
