"""The ``sopbot`` entry point.

Each command lives in its own module with ``add_parser`` (its arguments and help) and
``run`` (the work, returning an exit code). Plain argparse keeps the cold start short:
heavy imports happen inside ``run``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from bot import __version__
from bot.cli import (
    audit_cmd,
    compile_cmd,
    db_cmd,
    doctor_cmd,
    graph_cmd,
    run_cmd,
    schema_cmd,
    serve_cmd,
    show_cmd,
    test_cmd,
    validate_cmd,
    worker_cmd,
)

COMMANDS: tuple[ModuleType, ...] = (
    run_cmd,
    serve_cmd,
    schema_cmd,
    graph_cmd,
    show_cmd,
    db_cmd,
    audit_cmd,
    worker_cmd,
    validate_cmd,
    test_cmd,
    doctor_cmd,
    compile_cmd,
)


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with one sub-command per module in COMMANDS."""
    parser = argparse.ArgumentParser(
        prog="sopbot",
        description="Standard operating procedures that run themselves, in Slack or the local console.",
    )
    parser.add_argument("--version", action="version", version=f"sopbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the command; the return value is the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from bot.secret_files import SecretFileProblem, load_secret_files

    try:
        load_secret_files(os.environ)
    except SecretFileProblem as problem:
        print(f"sopbot: {problem}", file=sys.stderr)
        return 2
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
