"""``sopbot show SOP``: a readable summary of a procedure, for reviewers and approvers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.graph_cmd import SopLookupError, add_sop_arguments, find_procedure, write_output

if TYPE_CHECKING:
    from bot.engine.modes import CurrentMode
    from bot.procedure.model import Procedure


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "show",
        help="summarise an SOP: trigger, inputs, steps, approvals, limits, SLA, review",
        description=(
            "Summarise an SOP in plain text: owner, mode, trigger, inputs, the steps in order "
            "with the policy they carry (what each set computes, what each decision tests, "
            "what each end sets), who approves what, the hard limits, SLA clocks and when it "
            "is due for review."
        ),
    )
    add_sop_arguments(parser)
    parser.add_argument("-o", "--output", help="write the summary to this file (default: stdout)")
    parser.add_argument(
        "--database",
        help="where to read a mode the owners set with /sop mode (SQLAlchemy URL; default: "
        "SOPBOT_DATABASE_URL or sqlite:///var/sopbot.db, skipped while that file does not exist)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from bot.app.commands.replies import mode_note
    from bot.procedure.summary import summarize

    try:
        procedure = find_procedure(args.sop, args.sops_dir)
        current = _current_mode(procedure, args.database)
    except (SopLookupError, ValueError) as error:  # ValueError: a database URL we cannot use
        print(f"sopbot show: {error}", file=sys.stderr)
        return 1
    if current is None:
        return write_output(summarize(procedure), args.output)
    shown = procedure.model_copy(update={"mode": current.mode})
    return write_output(summarize(shown, mode_note=mode_note(current)), args.output)


def _current_mode(procedure: Procedure, url: str | None) -> CurrentMode | None:
    """The mode an owner set with ``/sop mode``, read from the bot's database; None when
    there is no database yet (``show`` works on a bare checkout) or nobody set one. A
    database that cannot be read is said on stderr, and the file's mode is shown."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from bot.config import Settings
    from bot.engine.modes import current_mode
    from storage.database import IN_MEMORY_SQLITE, Database
    from storage.engines import parse_url

    database_url = url or Settings().database_url
    parsed = parse_url(database_url)
    if parsed.get_backend_name() == "sqlite" and (
        parsed.database in IN_MEMORY_SQLITE or not Path(parsed.database or "").is_file()
    ):
        return None
    database = Database(database_url)
    try:
        with database.session(read_only=True) as session:
            if not inspect(session.connection()).has_table("sop_modes"):
                return None
            current = current_mode(session, procedure)
    except SQLAlchemyError as error:
        where = database.url.render_as_string(hide_password=True)
        problem = str(error).splitlines()[0]
        print(
            f"sopbot show: cannot read the mode set with /sop mode from {where} ({problem}); "
            "showing the file's mode",
            file=sys.stderr,
        )
        return None
    finally:
        database.dispose()
    return current if current.set_by is not None else None
