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
    agents,
    assignment,
    choices,
    escalations,
    failures,
    flow,
    hygiene,
    names,
    nullable,
    parallel,
    pauses,
    permissions,
    sandboxing,
    secrets,
    typecheck,
)
from bot.validation.context import SopContext
from bot.validation.rules import RULES
from bot.validation.run_names import RunNames

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
    *agents.CHECKS,
    *escalations.CHECKS,
    *permissions.CHECKS,
    *secrets.CHECKS,
    *hygiene.CHECKS,
)


@dataclass
class ValidationReport:
    """The outcome of validating many files."""

    files: list[LoadedSop]
    findings_only: bool = False
    """Checked on several processes: the files carry their findings, not their procedures."""

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
        if self.findings_only:
            raise ValueError("this report holds findings only: validate with jobs=1 to serve")
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
    jobs: int = 1,
) -> ValidationReport:
    """Validate files and every SOP file below folders, then the rules across files.

    ``jobs`` above 1 lets a large library be checked on that many processes, for its
    findings only: the report's files then come without their procedures
    (``bot.validation.parallel``)."""
    known = catalogue or build_catalogue()
    day = today or dt.date.today()

    def check(path: Path) -> LoadedSop:
        return check_loaded(load_file(path), catalogue=known, today=day)

    found = list(sop_files(paths))
    processes = parallel.processes_for(len(found), jobs)
    if processes > 1:
        checked = parallel.check_in_processes(found, check, processes)
    else:
        with _collection_paused():
            checked = [(loaded, _identity(loaded)) for loaded in map(check, found)]
    files = [loaded for loaded, _identity_ in checked]
    _check_across_files(files, [identity for _loaded, identity in checked], relocated=check)
    return ValidationReport(files, findings_only=processes > 1)


def _identity(loaded: LoadedSop) -> parallel.Identity:
    procedure = loaded.procedure
    return (procedure.id, procedure.trigger.command) if procedure else (None, None)


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


def _check_across_files(
    files: list[LoadedSop],
    identities: list[parallel.Identity],
    *,
    relocated: Callable[[Path], LoadedSop],
) -> None:
    """SOP501: no two files answer to one name, an SOP id or a trigger command
    (``run_names``). A clashing file checked in another process came without its
    positions: ``relocated`` reads it again."""
    names = RunNames()
    for index, (loaded, (sop_id, command)) in enumerate(zip(files, identities, strict=True)):
        if sop_id is None:
            continue
        clashes = names.claim(loaded.file, sop_id, command)
        if not clashes:
            continue
        if loaded.procedure is None:
            loaded = files[index] = relocated(Path(loaded.file))
        loaded.diagnostics.extend(
            loaded.diagnostic(
                "SOP501", RULES["SOP501"].severity, clash.path, clash.message, clash.hint
            )
            for clash in clashes
        )
        loaded.diagnostics.sort(key=_by_position)
