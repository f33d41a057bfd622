"""``sopbot run``: sopbot's main job. With Slack tokens it serves Slack; without, it opens
the local console on the sample SOPs and the sandbox tools."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "run",
        help="run sopbot (the local console when no Slack tokens are set)",
        description="Run sopbot. Without SOPBOT_SLACK_BOT_TOKEN it opens the local console on the "
        "sandbox tools; settings come from SOPBOT_* variables or .env.",
    )
    parser.add_argument("--sops", help="folder of SOP files (default: sops/)")
    parser.add_argument("--database", help="SQLAlchemy URL (default: sqlite:///var/sopbot.db)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from bot.config import SettingsProblem, load_settings
    from bot.console.repl import run_console

    overrides: dict[str, Any] = {}
    if args.sops:
        overrides["sops_dir"] = args.sops
    if args.database:
        overrides["database_url"] = args.database
    try:
        settings = load_settings(**overrides)
    except SettingsProblem as problem:
        print(f"sopbot run: {problem}", file=sys.stderr)
        return 2
    if settings.slack_enabled:
        print(
            "Slack tokens are set, but the Slack surface is not part of this build yet; "
            "opening the local console instead."
        )
    return run_console(settings)
