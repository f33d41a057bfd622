"""``sopbot db``: create or upgrade the database schema, or show where it stands.

The URL comes from ``SOPBOT_DATABASE_URL`` (or ``.env``, or ``--database``). Every failure
is one readable line and a non-zero exit: 2 for a bad setting, 1 for a database problem.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.database import Database


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "db",
        help="create or upgrade the database schema",
        description="Manage sopbot's database schema. The URL comes from SOPBOT_DATABASE_URL "
        "(default: sqlite:///var/sopbot.db).",
    )
    actions = parser.add_subparsers(dest="db_action", metavar="{upgrade,current}", required=True)
    upgrade = actions.add_parser(
        "upgrade",
        help="apply every migration not yet applied (safe to repeat, and from several hosts)",
    )
    upgrade.set_defaults(run=run_upgrade)
    current = actions.add_parser(
        "current", help="show the schema revision; exit 1 when it is missing or behind"
    )
    current.set_defaults(run=run_current)
    for action in (upgrade, current):
        action.add_argument("--database", help="SQLAlchemy URL (overrides SOPBOT_DATABASE_URL)")


def run_upgrade(args: argparse.Namespace) -> int:
    def upgrade(database: Database) -> int:
        before = database.current_revision()
        database.upgrade()
        after = database.current_revision()
        if before == after:
            print(f"{_shown(database)}: already at revision {after} (newest)")
        else:
            print(f"{_shown(database)}: upgraded from {before or 'an empty database'} to {after}")
        return 0

    return _with_database(args, upgrade)


def run_current(args: argparse.Namespace) -> int:
    def current(database: Database) -> int:
        from storage.migrate import head_revision

        revision, head = database.current_revision(), head_revision()
        if revision is None:
            print(f"{_shown(database)}: no schema yet; run `sopbot db upgrade`")
            return 1
        if revision != head:
            print(
                f"{_shown(database)}: at revision {revision}, newest is {head}; "
                "run `sopbot db upgrade`"
            )
            return 1
        print(f"{_shown(database)}: at revision {revision} (newest)")
        return 0

    return _with_database(args, current)


def _with_database(args: argparse.Namespace, action: Callable[[Database], int]) -> int:
    """Open the configured database, run ``action``, and turn every failure into one line."""
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.config import Settings
    from storage.database import Database

    try:
        url = args.database or Settings().database_url
        database = Database(url)
    except (ValidationError, ValueError, OSError) as error:
        print(f"sopbot db: {_first_line(error)}", file=sys.stderr)
        return 2
    try:
        return action(database)
    except SQLAlchemyError as error:
        reason = _first_line(getattr(error, "orig", None) or error)
        print(f"sopbot db: cannot use {_shown(database)}: {reason}", file=sys.stderr)
        return 1
    finally:
        database.dispose()


def _shown(database: Database) -> str:
    return database.url.render_as_string(hide_password=True)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else error.__class__.__name__
