"""``sopbot run``: sopbot's main job. With Slack tokens it serves Slack (Socket Mode with an
app-level token, else HTTP mode); without, it opens the local console on the sample SOPs and
the sandbox tools. The first line says which, and why."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "run",
        help="run sopbot: Slack when its tokens are set, else the local console",
        description="Run sopbot. With SLACK_BOT_TOKEN and SLACK_APP_TOKEN it serves Slack over "
        "Socket Mode; with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, over HTTP like "
        "`sopbot serve`; without SLACK_BOT_TOKEN it opens the local console on the sandbox "
        "tools. Settings come from the environment or .env.",
    )
    parser.add_argument("--sops", help="folder of SOP files (default: sops/)")
    parser.add_argument("--database", help="SQLAlchemy URL (default: sqlite:///var/sopbot.db)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from bot.cli.settings import command_settings, location_overrides

    settings = command_settings("run", **location_overrides(args))
    if settings is None:
        return 2
    if not settings.slack_enabled:
        from bot.console.repl import run_console

        print("No SLACK_BOT_TOKEN set: opening the local console on the sandbox tools.")
        return run_console(settings)
    if settings.slack_app_token is not None:
        print("SLACK_BOT_TOKEN and SLACK_APP_TOKEN are set: serving Slack over Socket Mode.")
        return _socket_mode(settings)
    if settings.slack_signing_secret is not None:
        from bot.cli.serve_cmd import DEFAULT_HOST, DEFAULT_PORT, configure_logging, serve_http

        print("SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set: serving Slack over HTTP.")
        configure_logging()
        return serve_http(settings, host=DEFAULT_HOST, port=DEFAULT_PORT, command="sopbot run")
    print(
        "sopbot run: SLACK_BOT_TOKEN is set, but neither SLACK_APP_TOKEN (Socket Mode) nor "
        "SLACK_SIGNING_SECRET (HTTP mode): set one of them (docs/slack.md), or unset "
        "SLACK_BOT_TOKEN for the local console",
        file=sys.stderr,
    )
    return 2


def _socket_mode(settings: Settings) -> int:
    """Serve Slack over Socket Mode until SIGTERM or Ctrl-C; the exit code."""
    from bot.cli.serve_cmd import StartupProblem, configure_logging, open_process
    from handlers.slack.process import SlackSettingProblem
    from handlers.slack.socket_mode import serve_until_stopped

    assert settings.slack_app_token is not None
    configure_logging()
    try:
        process = open_process(settings)
    except StartupProblem as problem:
        print(f"sopbot run: {problem}", file=sys.stderr)
        return problem.code
    try:
        process.start()
        serve_until_stopped(
            process,
            settings.slack_app_token.get_secret_value(),
            connected=lambda: print(
                f"Connected to Slack over Socket Mode · {len(process.door.library.procedures)} "
                "procedures · Ctrl-C stops",
                flush=True,
            ),
        )
    except SlackSettingProblem as problem:
        print(f"sopbot run: {problem}", file=sys.stderr)
        return 2
    finally:
        process.close()
    return 0
