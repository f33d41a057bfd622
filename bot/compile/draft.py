"""Where a compiled SOP goes and how it gets into service.

A compile writes a draft beside its source (``NAME.sop.yml``), never into the SOP folder:
the library serves every SOP file there, so a draft inside it would run before anyone
read it. ``accept`` is the person's step: it checks the draft again and moves it into the
folder as ``ID.yml``. The provenance header says where the text came from."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DRAFT_SUFFIX = ".sop.yml"
_PROVENANCE = "# Compiled from "
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
        """One comment line, whatever the file and model are called: a line break in a
        name would end the comment and put the rest of the name into the SOP."""
        return (
            f"{_PROVENANCE}{_one_line(self.source)} (sha256 {self.sha256}) by model "
            f"{_one_line(self.model)} on {self.day.isoformat()}.\n{DRAFT_NOTICE}\n"
        )


def draft_path(source: Path, out: Path | None, sops_dir: Path) -> Path:
    """``out``, or ``NAME.sop.yml`` beside the source; refused inside the SOP folder, and
    over any file but an earlier draft (the written procedure itself, say)."""
    target = out or source.with_name(source.stem + DRAFT_SUFFIX)
    if _inside(target, sops_dir):
        raise DraftProblem(
            f"{target} is inside {sops_dir}, where it would be served before anyone accepted "
            "it; write the draft elsewhere with --out"
        )
    if target.resolve() == source.resolve():
        raise DraftProblem(f"{target} is the written procedure; write the draft elsewhere")
    if target.exists() and not _is_draft(target):
        raise DraftProblem(
            f"{target} is not a draft sopbot wrote, and would be lost; choose another --out"
        )
    return target


def write_draft(target: Path, provenance: Provenance, text: str) -> None:
    """The draft file: the provenance header, then the SOP."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(provenance.header() + _unclaimed(text), encoding="utf-8")


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


def _unclaimed(text: str) -> str:
    """The model's SOP without a provenance or draft notice of its own in its opening
    comments: only sopbot's header says where a draft came from."""
    lines = text.lstrip("\n").splitlines(keepends=True)
    opening = next(
        (n for n, line in enumerate(lines) if line.strip() and not line.startswith("#")),
        len(lines),
    )
    kept = [line for line in lines[:opening] if not _claims_provenance(line)]
    return "".join(kept + lines[opening:])


def _claims_provenance(line: str) -> bool:
    return line.startswith(_PROVENANCE) or line.rstrip() == DRAFT_NOTICE


def _is_draft(path: Path) -> bool:
    """The file starts with a provenance header: a draft an earlier compile wrote."""
    if not path.is_file():
        return False
    with path.open(encoding="utf-8", errors="replace") as file:
        return file.readline().startswith(_PROVENANCE)


def _one_line(name: str) -> str:
    """``name`` with line breaks and other control characters as spaces."""
    return "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in name)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())
