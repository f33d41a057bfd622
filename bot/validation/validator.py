"""Validate SOP texts, files and folders: load each one, run every rule, then the rules
that span files. A broken file never stops the others from being checked."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from bot.catalogue.registry import Catalogue, build_catalogue
from bot.procedure.diagnostics import Diagnostic, Severity
from bot.procedure.loader import LoadedSop, is_sop_file, load_file, load_text
from bot.procedure.model import Procedure
from bot.validation import (
    actions,
    assignment,
    choices,
    escalations,
    failures,
    flow,
    hygiene,
    names,
    nullable,
    pauses,
    permissions,
    sandboxing,
    secrets,
    typecheck,
)
from bot.validation.context import SopContext
from bot.validation.rules import RULES

Check = Callable[[SopContext], None]

CHECKS: tuple[Check, ...] = (
    *actions.CHECKS,
    *names.CHECKS,
    *assignment.CHECKS,
    *typecheck.CHECKS,
    *nullable.CHECKS,
    *sandboxing.CHECKS,
    *flow.CHECKS,
    *failures.CHECKS,
    *pauses.CHECKS,
    *choices.CHECKS,
    *escalations.CHECKS,
    *permissions.CHECKS,
    *secrets.CHECKS,
    *hygiene.CHECKS,
)


@dataclass
class ValidationReport:
    """The outcome of validating many files."""

    files: list[LoadedSop]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every finding, by file, line and column."""
        return sorted(
            (d for loaded in self.files for d in loaded.diagnostics),
            key=lambda d: (d.file, d.line, d.column, d.code, d.message),
        )

    @property
    def error_count(self) -> int:
        return sum(d.severity is Severity.ERROR for f in self.files for d in f.diagnostics)

    @property
    def warning_count(self) -> int:
        return sum(d.severity is Severity.WARNING for f in self.files for d in f.diagnostics)

    @property
    def procedures(self) -> list[Procedure]:
        """The procedures of the files without errors: the ones safe to serve."""
        return [
            loaded.procedure
            for loaded in self.files
            if loaded.procedure is not None
            and not any(d.severity is Severity.ERROR for d in loaded.diagnostics)
        ]


def validate_text(
    text: str,
    file: str = "<text>",
    *,
    catalogue: Catalogue | None = None,
    today: dt.date | None = None,
) -> LoadedSop:
    """Load one SOP text and run every rule on it; the findings are in ``diagnostics``."""
    return check_loaded(load_text(text, file), catalogue=catalogue, today=today)


def validate_paths(
    paths: Sequence[str | Path],
    *,
    catalogue: Catalogue | None = None,
    today: dt.date | None = None,
) -> ValidationReport:
    """Validate files and every SOP file below folders, then the rules across files."""
    catalogue = catalogue or build_catalogue()
    today = today or dt.date.today()
    files: list[LoadedSop] = []
    with _collection_paused():
        for path in sop_files(paths):
            files.append(check_loaded(load_file(path), catalogue=catalogue, today=today))
    _check_across_files(files)
    return ValidationReport(files)


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a batch is validated.

    Every file adds thousands of small objects (data, positions, models) that the report
    keeps, so the collector would traverse them again and again (a quarter of the time for
    a thousand files) to find no cycles: validation creates none worth collecting early.
    Afterwards the survivors move straight to the oldest generation (``freeze`` then
    ``unfreeze`` splices the lists), so re-enabling does not start with a pass over all of
    them; the next full collection still examines them as usual."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


def sop_files(paths: Sequence[str | Path]) -> Iterator[Path]:
    """Files as given, and the SOP files below folders (skipping hidden ones), each once."""
    seen: set[Path] = set()
    for given in map(Path, paths):
        if given.is_dir():
            found = sorted(
                path
                for path in given.rglob("*")
                if is_sop_file(path)
                and path.is_file()
                and not any(part.startswith(".") for part in path.relative_to(given).parts)
            )
        else:
            found = [given]
        for path in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                yield path


def check_loaded(
    loaded: LoadedSop, *, catalogue: Catalogue | None = None, today: dt.date | None = None
) -> LoadedSop:
    """Run every rule on a file the loader has read (when its model parsed), then sort all
    its findings by position; returns the same object."""
    if loaded.procedure is not None:
        context = SopContext(
            loaded, loaded.procedure, catalogue or build_catalogue(), today or dt.date.today()
        )
        for check in CHECKS:
            try:
                check(context)
            except Exception as error:  # a bug in a rule must not hide the other files
                loaded.diagnostics.append(
                    loaded.diagnostic(
                        "SOP000",
                        Severity.ERROR,
                        (),
                        f"the check {check.__name__} failed: {error!r}",
                        RULES["SOP000"].hint,
                    )
                )
    loaded.diagnostics[:] = sorted(map(_with_hint, loaded.diagnostics), key=_by_position)
    return loaded


def _with_hint(diagnostic: Diagnostic) -> Diagnostic:
    """Every finding says how to fix it: the rule's hint where the finding has none."""
    rule = RULES.get(diagnostic.code)
    if diagnostic.hint or rule is None:
        return diagnostic
    return replace(diagnostic, hint=rule.hint)


def _by_position(diagnostic: Diagnostic) -> tuple[int, int, str, str]:
    return (diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.message)


def _check_across_files(files: list[LoadedSop]) -> None:
    """SOP501: SOP ids and trigger commands are unique across all files."""
    ids: dict[str, str] = {}
    commands: dict[str, str] = {}
    for loaded in files:
        procedure = loaded.procedure
        if procedure is None:
            continue
        found: list[Diagnostic] = []
        first = ids.setdefault(procedure.id, loaded.file)
        if first != loaded.file:
            found.append(
                loaded.diagnostic(
                    "SOP501",
                    RULES["SOP501"].severity,
                    ("id",),
                    f"SOP id '{procedure.id}' is already used by {first}",
                    RULES["SOP501"].hint,
                )
            )
        command = procedure.trigger.command
        if command is not None:
            first = commands.setdefault(command, loaded.file)
            if first != loaded.file:
                found.append(
                    loaded.diagnostic(
                        "SOP501",
                        RULES["SOP501"].severity,
                        ("trigger", "command"),
                        f"the command '/sop run {command}' is already used by {first}",
                        "give each procedure its own command",
                    )
                )
        if found:
            loaded.diagnostics.extend(found)
            loaded.diagnostics.sort(key=_by_position)
