"""A scenario file as loaded: its text, data and positions, the scenarios that parsed, the
SOP they test, and every problem found, each pointing at its line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.procedure.diagnostics import Diagnostic, Severity, format_location
from bot.procedure.loader import LoadedSop
from bot.procedure.model import Procedure
from bot.procedure.source_map import Path, SourceMap
from bot.scenarios.model import Scenario


@dataclass
class ScenarioFile:
    """One scenario file: its scenarios (by their index in the file), the SOP they test,
    and every problem found. Scenarios run only when there are no diagnostics."""

    file: str
    text: str
    data: Any = None
    source_map: SourceMap = field(default_factory=SourceMap)
    scenarios: list[tuple[int, Scenario]] = field(default_factory=list)
    sop: LoadedSop | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def procedure(self) -> Procedure:
        """The SOP under test; only a file without diagnostics has one for sure."""
        if self.sop is None or self.sop.procedure is None:
            raise ValueError(f"{self.file} has no SOP to test")
        return self.sop.procedure

    def position(self, path: Path) -> str:
        """``file:line:col`` of ``path``, for messages that point into the file."""
        line, column = self.source_map.locate(path)
        return f"{self.file}:{line}:{column}"

    def report(
        self, code: str, path: Path, message: str, hint: str | None = None, *, at_key: bool = False
    ) -> None:
        """Add an error positioned at ``path``."""
        line, column = self.source_map.locate(path, key=at_key)
        self.diagnostics.append(
            Diagnostic(
                self.file, line, column, code, Severity.ERROR, format_location(path), message, hint
            )
        )
