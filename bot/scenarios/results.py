"""What running scenarios produced: one result per scenario, and the whole suite's outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.procedure.diagnostics import Diagnostic


@dataclass(frozen=True)
class Mismatch:
    """One expectation that did not hold."""

    what: str
    expected: str
    actual: str


@dataclass(frozen=True)
class Failure:
    """Where a scenario stopped (file position and then-step) and why."""

    where: str
    step: str
    message: str
    mismatches: tuple[Mismatch, ...] = ()


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario: passed, or its failure with the run's state and journal."""

    file: str
    sop_id: str
    name: str
    seconds: float
    failure: Failure | None = None
    run: str | None = None
    journal: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.failure is None

    @property
    def title(self) -> str:
        """``refund-request::A small refund goes straight through``: what ``-k`` matches."""
        return f"{self.sop_id}::{self.name}"


@dataclass
class SuiteResult:
    """Every scenario result, the scenario files that could not run and why, and the SOPs
    that have no scenario file."""

    results: list[ScenarioResult] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    untested: list[str] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(result.passed for result in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    @property
    def exit_code(self) -> int:
        """2 when a file could not run, else 1 when a scenario failed, else 0."""
        if self.broken:
            return 2
        return 1 if self.failed else 0

    def summary(self) -> str:
        """``8 passed, 1 failed`` (and the broken files, if any)."""
        text = f"{self.passed} passed, {self.failed} failed"
        if self.broken:
            count = len(self.broken)
            text += f", {count} broken file{'' if count == 1 else 's'}"
        return text
