"""``sopbot audit RUN``: a run's timeline of actions and decisions, or its JSON export."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "audit",
        help="print a run's audit timeline",
        description="Print every audited action and decision of a run, in order (secrets are masked).",
    )
    parser.add_argument("run_id", metavar="RUN", help="the run id, such as r-3f9a1c2b7d")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )
    parser.add_argument(
        "--database",
        help="SQLAlchemy URL (default: SOPBOT_DATABASE_URL or sqlite:///var/sopbot.db)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from bot.audit.timeline import timeline_json, timeline_text
    from bot.config import Settings
    from storage import audit, runs
    from storage.database import Database

    settings = Settings(**({"database_url": args.database} if args.database else {}))
    database = Database(settings.database_url)
    try:
        with database.session() as session:
            if runs.get_run(session, args.run_id) is None:
                print(
                    f"no run {args.run_id} in {database.url.render_as_string(hide_password=True)}",
                    file=sys.stderr,
                )
                return 1
            events = audit.events_for_run(session, args.run_id)
            text = timeline_json(events) if args.format == "json" else timeline_text(events)
    finally:
        database.dispose()
    sys.stdout.write(text)
    return 0
