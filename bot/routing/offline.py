"""The router that needs no model: two embeddings that ship in their wheels, plus keywords.

Each procedure is described by its intent phrases and title. A request scores against a
procedure by its closest phrase in each embedding space (``embedding.py``: multilingual
sentences, English words), blended with the keyword share (``lexical.py``), which catches
the rare words (``invoice``, ``pto``) and typos that embeddings blur. Below ``floor`` the
request fits nothing; the confidence is how far the first candidate stands above the second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.procedure.model import Procedure
from bot.routing.extract import extract, readable, recognised
from bot.routing.index import index
from bot.routing.profile import profile
from bot.routing.route import Candidate, Route

NAME = "offline (USE multilingual v3 + wordllama l2_supercat 256 + keywords)"


@dataclass(frozen=True)
class OfflineRouter:
    """Ranks by ``sentences`` * the multilingual sentence similarity + ``words`` * the
    English word similarity + the rest * the keyword share.

    A request fits nothing when its best score is under ``floor`` and no procedure leads
    the next by ``lead``; the confidence is the lead over the second, 1.0 at ``sure_lead``.
    The figures were tuned on the tuning half of ``bench/data/routing.jsonl`` only.
    """

    sentences: float = 0.5
    words: float = 0.3
    floor: float = 0.25
    lead: float = 0.15
    sure_lead: float = 0.35
    """Sentence similarities run higher and spread wider than word ones: a lead of 0.175
    (half of this) is sure. On the tuning half no sure first candidate was wrong from 0.2
    up; 0.35 keeps a margin for requests that speak of two procedures' matters at once
    ("the shipment arrived broken and the customer wants their money back")."""
    recognised_bonus: float = 0.3

    @property
    def name(self) -> str:
        return NAME

    def route(self, text: str, procedures: Sequence[Procedure]) -> Route:
        """Rank ``procedures`` for ``text``; the inputs found are the first candidate's."""
        if not procedures:
            return Route(self.name, (), 0.0, out_of_scope=True)
        text = readable(text)
        built = index([profile(procedure) for procedure in procedures])
        semantic, lexical = built.closest(text), built.vocabulary.scores(text)
        scored = sorted(
            (
                Candidate(procedure, self._score(text, procedure, meaning, keywords))
                for procedure, meaning, keywords in zip(procedures, semantic, lexical, strict=True)
            ),
            key=lambda candidate: -candidate.score,
        )
        top = scored[0].score
        second = scored[1].score if len(scored) > 1 else 0.0
        confidence = min(1.0, (top - second) / self.sure_lead)
        out = top < self.floor and top - second < self.lead
        inputs = {} if out else extract(scored[0].procedure, text)
        return Route(self.name, tuple(scored), confidence, out, inputs)

    def _score(
        self, text: str, procedure: Procedure, meaning: tuple[float, ...], keywords: float
    ) -> float:
        """The blend, plus the bonus when the text holds an id only this procedure takes."""
        sentences, words = meaning
        rest = 1 - self.sentences - self.words
        blend = self.sentences * sentences + self.words * words + rest * keywords
        return blend + (self.recognised_bonus if recognised(procedure, text) else 0.0)
