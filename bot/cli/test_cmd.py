"""``sopbot test``: run the scenario files beside SOPs (``sops/NAME.test.yml``) against the
real engine and the configured connectors (the sandbox tools by default), behind the
scenarios' stubs, with a clock that moves only when a scenario says.

Prints one line per scenario, then the failures with expected and actual values and the
run's journal, then ``N passed, M failed``. Exits 0 when all pass, 1 when one fails, 2 when
a scenario file cannot run (its problems are shown with file and line) or nothing matched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from typing import Any

DEFAULT_PATH = "sops"


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "test",
        help="run the scenario tests of SOPs (sops/*.test.yml)",
        description="Run scenario files (NAME.test.yml, beside the SOP NAME.yml) on the "
        "configured connectors (the sandbox tools by default) with a test clock. An SOP file given stands for its scenario file. "
        "docs/writing-sops.md explains the format.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help=f"scenario files, SOP files or folders (default: {DEFAULT_PATH}/)",
    )
    parser.add_argument(
        "-k",
        dest="keyword",
        metavar="TEXT",
        help="run only the scenarios whose 'sop::name' contains TEXT (any letter case)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: a line per scenario, failures and a summary; json: one document",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="run scenarios in N processes at once (default: 1)",
    )
    parser.add_argument(
        "--start",
        type=_start_time,
        help="when scenarios start, unless a scenario says (default: 2026-11-23T09:00Z)",
    )
    parser.set_defaults(run=run)


def _jobs(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of processes (1 or more)")
    return int(text)


def _start_time(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a time; write it like 2026-11-23T09:00Z"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def run(args: argparse.Namespace) -> int:
    paths: list[str] = args.paths or [DEFAULT_PATH]
    missing = [path for path in paths if not os.path.exists(path)]
    if missing:
        for path in missing:
            print(f"sopbot test: {path}: no such file or folder", file=sys.stderr)
        return 2

    from bot.catalogue.registry import CatalogueError
    from bot.cli.settings import catalogue_problem, command_settings
    from bot.scenarios.report import as_json, closing_lines, result_line
    from bot.scenarios.runner import run_paths

    settings = command_settings("test")  # a team's own connectors run, behind the stubs
    if settings is None:
        return 2
    text = args.format == "text"
    try:
        suite = run_paths(
            paths,
            keyword=args.keyword,
            start=args.start,
            jobs=args.jobs,
            on_result=(lambda result: print(result_line(result), flush=True)) if text else None,
            settings=settings,
        )
    except CatalogueError as error:
        catalogue_problem("test", error)
        return 2
    if text:
        print("\n".join(closing_lines(suite)))
    else:
        print(json.dumps(as_json(suite), indent=2))
    if not suite.results and not suite.broken:
        chosen = f" matching -k '{args.keyword}'" if args.keyword else ""
        print(f"sopbot test: no scenarios{chosen} in {' '.join(paths)}", file=sys.stderr)
        return 2
    return suite.exit_code
