"""Where a compiled SOP goes and how it gets into service.

A compile writes a draft beside its source (``NAME.sop.yml``), never into the SOP folder:
the library serves every SOP file there, so a draft inside it would run before anyone
read it. ``accept`` is the person's step: it checks the draft again and moves it into the
folder as ``ID.yml``. The provenance header says where the text came from."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

DRAFT_SUFFIX = ".sop.yml"
DRAFT_NOTICE = "# A draft: nothing serves it until a person runs sopbot compile --accept on it."


class DraftProblem(Exception):
    """A draft cannot be written or accepted; the message says what to change."""


@dataclass(frozen=True)
class Provenance:
    """What a compiled SOP came from."""

    source: str
    sha256: str
    model: str
    day: dt.date

    @classmethod
    def of(cls, source: Path, text: str, model: str, day: dt.date) -> Provenance:
        return cls(source.name, hashlib.sha256(text.encode()).hexdigest(), model, day)

    def header(self) -> str:
        return (
            f"# Compiled from {self.source} (sha256 {self.sha256}) by model {self.model} "
            f"on {self.day.isoformat()}.\n{DRAFT_NOTICE}\n"
        )


def draft_path(source: Path, out: Path | None, sops_dir: Path) -> Path:
    """``out``, or ``NAME.sop.yml`` beside the source; refused inside the SOP folder."""
    target = out or source.with_name(source.stem + DRAFT_SUFFIX)
    if _inside(target, sops_dir):
        raise DraftProblem(
            f"{target} is inside {sops_dir}, where it would be served before anyone accepted "
            "it; write the draft elsewhere with --out"
        )
    return target


def write_draft(target: Path, provenance: Provenance, text: str) -> None:
    """The draft file: the provenance header, then the SOP."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(provenance.header() + text.lstrip("\n"), encoding="utf-8")


def accepted_text(draft: str) -> str:
    """The draft as it goes into service: the same text without the draft notice."""
    return "".join(
        line for line in draft.splitlines(keepends=True) if line.rstrip() != DRAFT_NOTICE
    )


def accepted_path(sop_id: str, sops_dir: Path) -> Path:
    """Where an accepted SOP lives."""
    return sops_dir / f"{sop_id}.yml"


def diff(old: Path, new_text: str, new_name: str) -> str:
    """A unified diff from the SOP at ``old`` to ``new_text`` ('' when they are the same)."""
    before = old.read_text(encoding="utf-8").splitlines(keepends=True)
    after = new_text.splitlines(keepends=True)
    return "".join(difflib.unified_diff(before, after, fromfile=str(old), tofile=new_name))


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())
