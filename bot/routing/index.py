"""The procedures' phrases embedded and their keywords weighed, once per set of procedures
(a library reload makes a new set); a request then costs one embedding per encoder and a
product."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.routing.embedding import Vectors, encoders
from bot.routing.lexical import Vocabulary
from bot.routing.profile import Profile


@dataclass(frozen=True)
class Index:
    """Phrase vectors per encoder (one row each), whose procedure each row is, and the
    vocabulary."""

    vectors: tuple[Vectors, ...]
    owners: tuple[int, ...]
    vocabulary: Vocabulary

    def closest(self, text: str) -> list[tuple[float, ...]]:
        """Per procedure, the similarity of ``text`` to its nearest phrase, per encoder."""
        per_encoder = []
        for encode, vectors in zip(encoders(), self.vectors, strict=True):
            similarity = vectors @ encode([text])[0]
            best = [-1.0] * len(self.vocabulary.words)
            for owner, score in zip(self.owners, similarity.tolist(), strict=True):
                best[owner] = max(best[owner], score)
            per_encoder.append(best)
        return list(zip(*per_encoder, strict=True))


def index(profiles: Sequence[Profile]) -> Index:
    """The index of ``profiles``, built on first use."""
    return _built(tuple(profiles))


@lru_cache(maxsize=16)
def _built(profiles: tuple[Profile, ...]) -> Index:
    phrases = [phrase for profile in profiles for phrase in profile.phrases]
    owners = tuple(number for number, profile in enumerate(profiles) for _ in profile.phrases)
    vectors = tuple(encode(phrases) for encode in encoders())
    return Index(vectors, owners, Vocabulary.of(profiles))
