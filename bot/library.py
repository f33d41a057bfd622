"""The SOP library: the procedures in ``sops/`` that passed validation, and every version
a run has pinned.

A broken file is reported (file, line, reason) and skipped while the rest keep serving.
Each served text is saved by content hash, so a run executes the exact version it started
with even after the file is edited or rolled back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.catalogue.registry import Catalogue
from bot.procedure.diagnostics import Diagnostic, Severity
from bot.procedure.loader import LoadedSop, load_text
from bot.procedure.model import Procedure
from storage import sop_versions

if TYPE_CHECKING:
    from bot.validation.run_names import Clash
from storage.database import Database


class UnknownProcedure(LookupError):
    """No served procedure has that id or command."""


@dataclass(frozen=True)
class ServedProcedure:
    """A validated procedure and the exact text (hash) it came from."""

    procedure: Procedure
    content_hash: str
    file: str


@dataclass
class Library:
    """Procedures by id and by command word, plus the findings of the last load."""

    procedures: dict[str, ServedProcedure] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    names: dict[str, ServedProcedure] = field(default_factory=dict)
    """Every name a served procedure answers to, its id and its command: one each."""

    @classmethod
    def load(
        cls,
        sops_dir: Path,
        database: Database,
        *,
        now: dt.datetime,
        catalogue: Catalogue | None = None,
    ) -> Library:
        """Validate every SOP file (against ``catalogue``, team connectors included), serve the
        clean ones and record their versions."""
        from bot.validation.validator import validate_paths

        report = validate_paths([sops_dir], catalogue=catalogue, today=now.date())
        return cls.serve(report.files, database, now=now)

    @classmethod
    def serve(cls, files: list[LoadedSop], database: Database, *, now: dt.datetime) -> Library:
        """Serve the validated files that have no errors; keep every finding. A file that
        would answer to a name an earlier one has is not served (files validated one by
        one, without the rules across files, can bring one)."""
        from bot.validation.run_names import RunNames

        library = cls(diagnostics=[d for loaded in files for d in loaded.diagnostics])
        names = RunNames()
        with database.session() as session:
            for loaded in files:
                if loaded.procedure is None or any(
                    d.severity == "error" for d in loaded.diagnostics
                ):
                    continue
                procedure = loaded.procedure
                clashes = names.claim(loaded.file, procedure.id, procedure.trigger.command)
                if clashes:
                    library.diagnostics.extend(_refused(loaded, clash) for clash in clashes)
                    continue
                served = _served(loaded)
                library.procedures[procedure.id] = served
                library.names[procedure.id] = served
                if procedure.trigger.command is not None:
                    library.names[procedure.trigger.command] = served
                sop_versions.save_version(
                    session,
                    sop_id=served.procedure.id,
                    version=served.procedure.version,
                    content_hash=served.content_hash,
                    source=loaded.pinned_text,  # with its blocks in place, if it includes any
                    file=loaded.file,
                    author=served.procedure.owner,
                    at=now,
                )
        return library

    def find(self, name: str) -> ServedProcedure:
        """A procedure by id or by its trigger command word (never two: ``serve``)."""
        if name in self.names:
            return self.names[name]
        known = ", ".join(sorted(self.procedures)) or "none"
        raise UnknownProcedure(f"no procedure called '{name}' (known: {known})")


def _refused(loaded: LoadedSop, clash: Clash) -> Diagnostic:
    return loaded.diagnostic("SOP501", Severity.ERROR, clash.path, clash.message, clash.hint)


def _served(loaded: LoadedSop) -> ServedProcedure:
    assert loaded.procedure is not None
    return ServedProcedure(loaded.procedure, loaded.content_hash, loaded.file)


def pinned_procedure(database: Database, content_hash: str) -> Procedure:
    """The procedure a run pinned, parsed from the stored text (cached per hash)."""
    return _pinned(database, content_hash)


@lru_cache(maxsize=256)
def _pinned(database: Database, content_hash: str) -> Procedure:
    # read-only: callers may hold the write lock in a transaction of their own
    with database.session(read_only=True) as session:
        version = sop_versions.get_by_hash(session, content_hash)
    if version is None:
        raise UnknownProcedure(f"no stored SOP version {content_hash[:12]}")
    loaded = load_text(version.source, version.file)
    if loaded.procedure is None:
        raise UnknownProcedure(f"stored SOP version {content_hash[:12]} no longer parses")
    return loaded.procedure
