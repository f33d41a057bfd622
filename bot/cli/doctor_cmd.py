"""``sopbot doctor``: check everything this process is configured with (settings, database,
SOPs, each connector, webhook secrets, Slack) without changing anything.

One line per check, ``ok``, ``warn`` or ``FAIL``; exit 0 when nothing failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "doctor",
        help="check the configuration: database, SOPs, connectors, webhooks, Slack",
        description="Check everything this process is configured with, changing nothing: "
        "the settings, the database and its schema, the SOP files, each namespace's "
        "connector (and its own checks: reachable, credentials accepted, clock), the "
        "webhook secrets and Slack. Exit 1 when a check failed; warnings do not fail.",
    )
    parser.add_argument("--sops", help="folder of SOP files (default: SOPBOT_SOPS_DIR)")
    parser.add_argument("--database", help="SQLAlchemy URL (default: SOPBOT_DATABASE_URL)")
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: one line per check; json: one document for scripts",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import datetime as dt

    from bot.cli.settings import location_overrides
    from bot.doctor.diagnosis import diagnose
    from bot.doctor.findings import as_json, as_text, failed

    findings = diagnose(now=lambda: dt.datetime.now(dt.UTC), **location_overrides(args))
    print(as_json(findings) if args.format == "json" else as_text(findings))
    return 1 if failed(findings) else 0
