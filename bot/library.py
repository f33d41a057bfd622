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

from bot.catalogue.registry import Catalogue
from bot.procedure.diagnostics import Diagnostic
from bot.procedure.loader import LoadedSop, load_text
from bot.procedure.model import Procedure
from storage import sop_versions
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
        """Serve the validated files that have no errors; keep every finding."""
        library = cls(diagnostics=[d for loaded in files for d in loaded.diagnostics])
        with database.session() as session:
            for loaded in files:
                if loaded.procedure is None or any(
                    d.severity == "error" for d in loaded.diagnostics
                ):
                    continue
                served = _served(loaded)
                library.procedures[served.procedure.id] = served
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
        """A procedure by id or by its trigger command word."""
        if name in self.procedures:
            return self.procedures[name]
        for served in self.procedures.values():
            if served.procedure.trigger.command == name:
                return served
        known = ", ".join(sorted(self.procedures)) or "none"
        raise UnknownProcedure(f"no procedure called '{name}' (known: {known})")


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
