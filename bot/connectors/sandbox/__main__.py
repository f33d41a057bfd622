"""``python -m bot.connectors.sandbox``: seed, reset, inspect and nudge the demo tools.

Uses the database sopbot uses (``SOPBOT_DATABASE_URL``), which must be migrated already.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.config import Settings
from bot.connectors.sandbox.outside import CHANGEABLE, change_record
from bot.connectors.sandbox.seed import reset, seed
from storage.database import Database
from storage.models import SandboxCall


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.connectors.sandbox", description="The embedded demo tools."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("seed", help="add the demo records that are missing")
    commands.add_parser("reset", help="wipe the sandbox and the call log, then seed again")
    calls = commands.add_parser("calls", help="list the writes the tools performed")
    calls.add_argument("--limit", type=int, default=20, help="the newest N (default 20)")
    change = commands.add_parser("change", help="change a record as the outside world would")
    change.add_argument("record", choices=sorted(CHANGEABLE))
    change.add_argument("key", help="the record's id, such as INV-2002")
    change.add_argument("fields", nargs="+", metavar="FIELD=VALUE", help="e.g. status=paid")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        database = Database(Settings().database_url)
        return _run(args, database, dt.datetime.now(dt.UTC))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (OperationalError, ProgrammingError):
        print(
            "error: the database has no sandbox tables yet; run `sopbot db upgrade` first",
            file=sys.stderr,
        )
        return 1


def _run(args: argparse.Namespace, database: Database, now: dt.datetime) -> int:
    if args.command == "reset":
        reset(database)
        print(f"sandbox wiped; {seed(database, now)} demo records added")
    elif args.command == "seed":
        print(f"{seed(database, now)} demo records added")
    elif args.command == "calls":
        _print_calls(database, args.limit)
    else:
        changes = dict(_field(text) for text in args.fields)
        document = change_record(database, now, args.record, args.key, changes)
        print(json.dumps(document, indent=2))
    return 0


def _field(text: str) -> tuple[str, Any]:
    """``status=paid`` → ('status', 'paid'); JSON values (true, 12.5, null) keep their type."""
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise ValueError(f"'{text}' is not FIELD=VALUE")
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value


def _print_calls(database: Database, limit: int) -> None:
    with database.session(read_only=True) as session:
        calls = session.scalars(select(SandboxCall).order_by(SandboxCall.id.desc()).limit(limit))
        for call in reversed(calls.all()):
            key = f" key={call.idempotency_key}" if call.idempotency_key else ""
            print(f"{call.at:%Y-%m-%d %H:%M:%S} {call.operation}{key}")
            print(f"    {json.dumps(call.arguments)} -> {json.dumps(call.result)}")


if __name__ == "__main__":
    sys.exit(main())
