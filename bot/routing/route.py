"""What a router answers and the interface a model-backed ranker plugs into."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.procedure.model import Procedure


@dataclass(frozen=True)
class Candidate:
    """One procedure the text may be asking for, with the router's score for it."""

    procedure: Procedure
    score: float

    @property
    def name(self) -> str:
        """The word after ``/sop run``: the trigger command, else the id."""
        return self.procedure.trigger.command or self.procedure.id


@dataclass(frozen=True)
class Route:
    """The ranked candidates, how sure the router is of the first, and the inputs found for
    it. ``out_of_scope`` means none of the procedures fits: the person is told so."""

    router: str
    candidates: tuple[Candidate, ...]
    confidence: float
    out_of_scope: bool
    inputs: dict[str, Any] = field(default_factory=dict)
    confident_at: float = 0.5

    @property
    def best(self) -> Candidate | None:
        """The first candidate, unless the text fits none."""
        return None if self.out_of_scope or not self.candidates else self.candidates[0]

    @property
    def confident(self) -> bool:
        """Sure enough to start the first candidate without asking which one."""
        return self.best is not None and self.confidence >= self.confident_at


class Router(Protocol):
    """Ranks ``procedures`` (only those the person may start) for a free-text request."""

    @property
    def name(self) -> str:
        """Shown with every figure and in the audit: which router or model decided."""
        ...

    def route(self, text: str, procedures: Sequence[Procedure]) -> Route:
        """The ranking for ``text``; never a procedure outside ``procedures``."""
        ...
