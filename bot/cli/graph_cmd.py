"""``sopbot graph SOP``: draw a procedure as a Mermaid flowchart.

Also home of ``find_procedure``, the lookup ``show`` shares: an SOP is named by its file or
by its id in ``sops/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.procedure.loader import LoadedSop
    from bot.procedure.model import Procedure

DEFAULT_SOPS_DIR = Path("sops")


class SopLookupError(Exception):
    """The SOP named on the command line is missing or broken; the message says which."""


def add_sop_arguments(parser: argparse.ArgumentParser) -> None:
    """The SOP argument and ``--sops-dir``, shared by every command that takes one SOP."""
    parser.add_argument("sop", metavar="SOP", help="an SOP file, or the id of an SOP in --sops-dir")
    parser.add_argument(
        "--sops-dir",
        type=Path,
        default=DEFAULT_SOPS_DIR,
        help=f"where to look SOP ids up (default: {DEFAULT_SOPS_DIR})",
    )


def find_procedure(reference: str, sops_dir: Path) -> Procedure:
    """The procedure in file ``reference``, or the one whose id is ``reference``."""
    from bot.procedure.loader import is_sop_file, load_file

    path = Path(reference)
    if path.is_dir():
        raise SopLookupError(f"{reference} is a folder; name one SOP file or an SOP id")
    if path.is_file():
        return _parsed(load_file(path))
    candidates = (
        sorted(p for p in sops_dir.rglob("*") if is_sop_file(p)) if sops_dir.is_dir() else []
    )
    named = [p for p in candidates if p.stem == reference] + candidates
    known: list[str] = []
    for candidate in dict.fromkeys(named):
        loaded = load_file(candidate)
        if loaded.procedure is not None:
            if loaded.procedure.id == reference:
                return loaded.procedure
            known.append(loaded.procedure.id)
        elif candidate.stem == reference:
            return _parsed(loaded)
    listing = ", ".join(sorted(known)) or "none"
    raise SopLookupError(
        f"no SOP '{reference}': it is not a file, and no procedure in {sops_dir} has that id "
        f"(known ids: {listing})"
    )


def _parsed(loaded: LoadedSop) -> Procedure:
    if loaded.procedure is None:
        problems = "\n".join(f"  {diagnostic.render()}" for diagnostic in loaded.diagnostics)
        raise SopLookupError(f"{loaded.file} is not a valid SOP:\n{problems}")
    return loaded.procedure


def write_output(text: str, output: str | None) -> int:
    """Print ``text``, or write it to ``output``; an unwritable file is an error, not a crash."""
    if output is None:
        sys.stdout.write(text)
        return 0
    target = Path(output)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    except OSError as error:
        print(f"sopbot: cannot write {target}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {target}")
    return 0


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "graph",
        help="draw an SOP as a Mermaid flowchart",
        description=(
            "Draw an SOP as a Mermaid flowchart: decisions, approvals, tasks, waits and "
            "escalations as distinct shapes, failure and timeout paths as dashed edges."
        ),
    )
    add_sop_arguments(parser)
    parser.add_argument("-o", "--output", help="write the flowchart to this file (default: stdout)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from bot.cli.settings import configured_catalogue
    from bot.procedure.graph import to_mermaid

    catalogue = configured_catalogue("graph")  # tells a team connector's reads from writes
    if catalogue is None:
        return 2
    try:
        procedure = find_procedure(args.sop, args.sops_dir)
    except SopLookupError as error:
        print(f"sopbot graph: {error}", file=sys.stderr)
        return 1
    return write_output(to_mermaid(procedure, catalogue), args.output)
