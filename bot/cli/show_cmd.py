"""``sopbot show SOP``: a readable summary of a procedure, for reviewers and approvers."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.graph_cmd import SopLookupError, add_sop_arguments, find_procedure, write_output


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "show",
        help="summarise an SOP: trigger, inputs, steps, approvals, limits, SLA, review",
        description=(
            "Summarise an SOP in plain text: owner, mode, trigger, inputs, the steps in order, "
            "who approves what, the hard limits, SLA clocks and when it is due for review."
        ),
    )
    add_sop_arguments(parser)
    parser.add_argument("-o", "--output", help="write the summary to this file (default: stdout)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from bot.procedure.summary import summarize

    try:
        procedure = find_procedure(args.sop, args.sops_dir)
    except SopLookupError as error:
        print(f"sopbot show: {error}", file=sys.stderr)
        return 1
    return write_output(summarize(procedure), args.output)
