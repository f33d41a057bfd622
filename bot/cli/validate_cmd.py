"""``sopbot validate``: find the mistakes in SOP files before a run trips over them.

Prints one ruff-style line per finding with its fix hint below, then a summary; exits 1 on
errors (or on warnings too with ``--strict``), 0 when clean, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.validation.validator import ValidationReport

DEFAULT_PATH = "sops"


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "validate",
        help="check SOP files for mistakes before they run",
        description="Check SOP files (and every *.yml / *.yaml below folders) for mistakes: "
        "unknown actions and names, broken flow, missing failure rules, secrets, and more. "
        "docs/validation-rules.md explains each rule.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help=f"SOP files or folders (default: {DEFAULT_PATH}/)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="check a large library on N processes (default: one per core; 1: one process)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: one line per finding and a summary; json: one document",
    )
    parser.add_argument(
        "--strict", action="store_true", help="treat warnings as errors (exit 1 on any finding)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    paths: list[str] = args.paths or [DEFAULT_PATH]
    missing = [path for path in paths if not os.path.exists(path)]
    if missing:
        for path in missing:
            print(f"sopbot validate: {path}: no such file or folder", file=sys.stderr)
        return 2

    from bot.cli.settings import configured_catalogue
    from bot.validation.validator import validate_paths

    catalogue = configured_catalogue("validate")  # a team's own connectors count
    if catalogue is None:
        return 2
    report = validate_paths(paths, catalogue=catalogue, jobs=max(1, args.jobs))
    if args.format == "json":
        print(json.dumps(_as_json(report), indent=2))
    else:
        _print_text(report)
    failing = report.error_count + (report.warning_count if args.strict else 0)
    return 1 if failing else 0


def _as_json(report: ValidationReport) -> dict[str, Any]:
    return {
        "files": len(report.files),
        "errors": report.error_count,
        "warnings": report.warning_count,
        "diagnostics": [diagnostic.as_json() for diagnostic in report.diagnostics],
    }


def _print_text(report: ValidationReport) -> None:
    for diagnostic in report.diagnostics:
        print(diagnostic.render())
        if diagnostic.hint:
            print(f"    hint: {diagnostic.hint}")
    print(summary(len(report.files), report.error_count, report.warning_count))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary(files: int, errors: int, warnings: int) -> str:
    """``2 errors and 1 warning in 9 files``, or ``9 files checked, no problems``."""
    if not errors and not warnings:
        return f"{_count(files, 'file')} checked, no problems"
    found = [_count(errors, "error")] if errors else []
    if warnings:
        found.append(_count(warnings, "warning"))
    return f"{' and '.join(found)} in {_count(files, 'file')}"
