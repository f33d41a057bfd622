"""Keyword scoring: how many of a request's rarer words a procedure's own words contain.

A procedure's words are its intents, title, description, command and input names. A word
that many procedures share (``customer``) counts little; a word only one has (``invoice``)
counts a lot, so "chase unpaid invoice" finds collections even if no intent says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.routing.profile import Profile
from bot.routing.words import closest, keywords

DESCRIPTION_STRENGTH = 0.5
"""A description also names places, days and tools in passing: its words count half."""


def own_words(procedure: Profile) -> dict[str, float]:
    """Every keyword a procedure is described with, and how strongly it belongs to it."""
    words = dict.fromkeys(keywords(procedure.description), DESCRIPTION_STRENGTH)
    words.update(dict.fromkeys((word for text in procedure.named for word in keywords(text)), 1.0))
    return words


@dataclass(frozen=True)
class Vocabulary:
    """The procedures' words and how telling each word is (its inverse document frequency)."""

    words: tuple[dict[str, float], ...]
    weight: dict[str, float]

    @classmethod
    def of(cls, procedures: Sequence[Profile]) -> Vocabulary:
        words = tuple(own_words(procedure) for procedure in procedures)
        total = len(words)
        counts: dict[str, int] = {}
        for bag in words:
            for word in bag:
                counts[word] = counts.get(word, 0) + 1
        weight = {word: math.log(1 + total / count) for word, count in counts.items()}
        return cls(words, weight)

    def scores(self, text: str) -> list[float]:
        """Per procedure, the share of the request's keyword weight it covers (0 to 1)."""
        found = [self._known(word) for word in keywords(text)]
        known = [word for word in found if word is not None]
        if not known:
            return [0.0] * len(self.words)
        unknown = len(found) - len(known)
        total = sum(self.weight[word] for word in known) + unknown * 0.5
        return [
            sum(self.weight[word] * bag.get(word, 0.0) for word in known) / total
            for bag in self.words
        ]

    def _known(self, word: str) -> str | None:
        """``word`` or the vocabulary word it is a typo of."""
        return word if word in self.weight else closest(word, self.weight)
