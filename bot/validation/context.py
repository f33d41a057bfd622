"""What every rule sees: the loaded file, its procedure, the catalogue, today's date, and
the derived views (sites, step graph) computed once and shared."""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import re
from collections.abc import Iterable
from functools import cached_property

from bot.catalogue.registry import Catalogue
from bot.procedure.diagnostics import Diagnostic, format_location
from bot.procedure.loader import LoadedSop
from bot.procedure.model import Procedure
from bot.procedure.source_map import Path
from bot.validation.graph import StepGraph
from bot.validation.rules import RULES
from bot.validation.sites import Sites, collect_sites


class SopContext:
    """One parsed procedure under validation; rules add findings through ``report``."""

    def __init__(
        self,
        loaded: LoadedSop,
        procedure: Procedure,
        catalogue: Catalogue,
        today: dt.date,
    ) -> None:
        self.loaded = loaded
        self.procedure = procedure
        self.catalogue = catalogue
        self.today = today

    @cached_property
    def sites(self) -> Sites:
        return collect_sites(self.procedure)

    @cached_property
    def graph(self) -> StepGraph:
        return StepGraph(self.procedure)

    @cached_property
    def names_before(self) -> list[set[str]]:
        """For each step, every name some step that can run before it saves (SOP209 and
        SOP230 both ask; the walk over the graph is done once)."""
        saves: list[set[str]] = [set() for _ in self.procedure.steps]
        for saved in self.sites.saved:
            if saved.step is not None:
                saves[saved.step].add(saved.name)
        return self.graph.names_before(saves)

    @cached_property
    def step_ids(self) -> dict[str, int]:
        return self.procedure.step_index()

    def report(
        self,
        code: str,
        path: Path,
        message: str,
        hint: str | None = None,
        *,
        at_key: bool = False,
        needle: str | None = None,
    ) -> None:
        """Add a finding at ``path`` (its key with ``at_key``); ``needle`` is text inside
        the value to point at, such as the misspelt name in a template. A finding in a
        step from an included block is put at the step's value in the block's file."""
        file, line, column = self.loaded.locate(path, key=at_key)
        if needle and file == self.loaded.file:
            line, column = self._find(needle, line, column, path)
        self._add(code, line, column, path, message, hint, file=file)

    def report_at_offset(self, code: str, offset: int, message: str) -> None:
        """Add a finding at a character offset of the file text, located at the value that
        holds it (used by scans of the raw text)."""
        line = bisect.bisect_right(self._line_starts, offset)
        column = offset - self._line_starts[line - 1] + 1
        positions, paths = self._paths_by_position
        index = bisect.bisect_right(positions, (line, column)) - 1
        self._add(code, line, column, paths[index] if index >= 0 else (), message, None)

    def _add(
        self,
        code: str,
        line: int,
        column: int,
        path: Path,
        message: str,
        hint: str | None,
        *,
        file: str | None = None,
    ) -> None:
        rule = RULES[code]
        location = format_location(path)
        self.loaded.diagnostics.append(
            Diagnostic(
                file or self.loaded.file,
                line,
                column,
                code,
                rule.severity,
                location,
                message,
                hint or rule.hint,
            )
        )

    # --- precise positions inside a value ---------------------------------------------------

    @cached_property
    def _paths_by_position(self) -> tuple[list[tuple[int, int]], list[Path]]:
        """Value positions in file order, and the path at each (deepest last on ties)."""
        ordered = sorted(self.loaded.source_map.values.items(), key=lambda item: item[1])
        return [position for _, position in ordered], [path for path, _ in ordered]

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        starts.extend(match.end() for match in re.finditer("\n", self.loaded.text))
        return starts

    @cached_property
    def _value_starts(self) -> list[tuple[int, int]]:
        source_map = self.loaded.source_map
        return sorted({*source_map.values.values(), *source_map.keys.values()})

    def _offset(self, line: int, column: int) -> int:
        starts = self._line_starts
        return starts[min(line, len(starts)) - 1] + column - 1

    def _find(self, needle: str, line: int, column: int, path: Path) -> tuple[int, int]:
        """The needle's position between this value's start and the next value's start."""
        start = self._offset(line, column)
        following = bisect.bisect_right(self._value_starts, (line, column))
        end = (
            self._offset(*self._value_starts[following])
            if following < len(self._value_starts) and path
            else len(self.loaded.text)
        )
        pattern = re.compile(r"(?<![\w.])" + re.escape(needle) + r"(?!\w)", re.IGNORECASE)
        match = pattern.search(self.loaded.text, start, end)
        if match is None:
            return line, column
        found_line = bisect.bisect_right(self._line_starts, match.start())
        return found_line, match.start() - self._line_starts[found_line - 1] + 1


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` with the closest candidate, or nothing."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.7)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
