"""Matching a phrase in outgoing text so that it cannot hide behind case, spacing, markup,
punctuation, look-alike or invisible characters, without matching inside other words.

Both sides are folded (``bot.guardrails.folding``) and cut into words at every run of
spaces, punctuation and markup. The phrase matches when a run of whole words of the text
spells its letters: ``our fault``, ``our-fault``, ``OurFault`` and ``o u r f a u l t`` all
do, ``your faulty`` and ``four faults`` do not (the match must start and end at a word's
edge). A contraction is one word with its apostrophe, so ``hell`` is not in ``he'll``; a
phrase's own apostrophes may be left out in the text (``dont worry`` is ``don't worry``).
The same rule finds forbidden phrases and required disclosures.
"""

from __future__ import annotations

import re
import unicodedata

from bot.guardrails.folding import fold

_WORD = re.compile(r"[^\W_]+(?:'(?:s|t|d|m|ll|re|ve)(?![^\W_]))?")
_SPACE = re.compile(r"\s+")
_SYMBOLS = frozenset({"Sm", "So"})


def contains_phrase(text: str, phrase: str) -> bool:
    """True when ``phrase`` appears in ``text``.

    A phrase of words (punctuation included: ``don't worry``) matches whole words however
    they are spelled out. A phrase with symbols, such as the Slack mention ``<!channel>``,
    matches as written after folding both sides: its symbols are what give it meaning, and
    its bare word (``channel``) must not block every message that mentions a channel.
    """
    needle = fold(phrase)
    if any(unicodedata.category(character) in _SYMBOLS for character in needle):
        return _collapse(needle) in _collapse(fold(text))
    letters = "".join(_WORD.findall(needle))
    if not letters:
        return False
    words = _WORD.findall(fold(text))
    return _spelled_by_words(words, letters) or _spelled_by_words(words, letters.replace("'", ""))


def _spelled_by_words(words: list[str], letters: str) -> bool:
    """Whether some run of consecutive ``words`` joins up to exactly ``letters``."""
    for start in range(len(words)):
        joined = ""
        for word in words[start:]:
            joined += word
            if not letters.startswith(joined):
                break
            if joined == letters:
                return True
    return False


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
