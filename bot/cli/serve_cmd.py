"""``sopbot serve``: Slack over HTTP. uvicorn takes Slack's requests at ``/slack/events``
(plus ``/healthz`` for load balancers); the worker runs in the same process.

``sopbot run`` uses the same start-up when Slack tokens are set, so a setting that is
missing or wrong reads the same in both: one line, exit 2 (1 for a database that cannot
be opened).
"""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings
    from handlers.slack.process import SlackProcess

log = logging.getLogger("sopbot.serve")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
BACKLOG = 2048
"""Pending connections the socket holds: a burst of Slack requests waits, never resets."""
GRACEFUL_SECONDS = 10
"""On SIGTERM, how long requests in flight get to finish."""


class StartupProblem(Exception):
    """Why sopbot cannot serve Slack, in one line, and the exit code that says so."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def add_parser(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "serve",
        help="serve Slack over HTTP (Slack posts to /slack/events)",
        description="Serve Slack in HTTP mode: Slack posts commands, clicks and events to "
        "http://HOST:PORT/slack/events (put an HTTPS proxy or load balancer in front); "
        "GET /healthz answers 200 while the database is reachable. Needs SLACK_BOT_TOKEN and "
        "SLACK_SIGNING_SECRET. The worker runs inside; `sopbot worker` adds more. "
        "SIGTERM or Ctrl-C finishes the requests in hand, then exits.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port, 0 for any (default {DEFAULT_PORT})"
    )
    parser.add_argument("--sops", help="folder of SOP files (default: sops/)")
    parser.add_argument("--database", help="SQLAlchemy URL (default: SOPBOT_DATABASE_URL)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from bot.config import SettingsProblem, load_settings

    configure_logging()
    overrides = {
        name: value
        for name, value in (("sops_dir", args.sops), ("database_url", args.database))
        if value
    }
    try:
        settings = load_settings(**overrides)
    except SettingsProblem as problem:
        print(f"sopbot serve: {problem}", file=sys.stderr)
        return 2
    return serve_http(settings, host=args.host, port=args.port, command="sopbot serve")


def serve_http(settings: Settings, *, host: str, port: int, command: str) -> int:
    """Serve Slack over HTTP on ``host:port`` until SIGTERM or SIGINT; the exit code."""
    from handlers.http import SopbotAsgi, database_health
    from handlers.slack.process import SlackSettingProblem, require
    from handlers.webhooks.receiver import Webhooks

    try:
        require(settings, "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
        listening = listen(host, port)
    except SlackSettingProblem as problem:
        return _refused(command, StartupProblem(str(problem)))
    except StartupProblem as problem:
        return _refused(command, problem)
    try:
        process = open_process(settings)
    except StartupProblem as problem:
        listening.close()
        return _refused(command, problem)
    webhooks = Webhooks.from_environment(
        process.database, process.sopbot.runtime.clock, after_record=process.worker.ring
    )
    asgi = SopbotAsgi(process.bolt, database_health(process.database), webhooks=webhooks)
    bound_host, bound_port = listening.getsockname()[:2]
    try:
        process.start()
        print(
            f"sopbot serving Slack over HTTP at http://{bound_host}:{bound_port}/slack/events "
            f"(health: /healthz) · {_summary(process)} · Ctrl-C stops",
            flush=True,
        )
        run_server(asgi, listening)
    finally:
        asgi.close()
        webhooks.close()
        process.close()
        listening.close()
    return 0


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so a busy port is one clear line and port 0 is
    known before the first request.

    TCP_NODELAY is set here, and the connections it accepts inherit it: asyncio sets it only
    on sockets made with ``proto=IPPROTO_TCP``, which ``create_server`` does not, and without
    it each answer (headers and body written apart) waits about 40 ms for the client's
    delayed ACK (Nagle's algorithm) on a keep-alive connection."""
    try:
        listening = socket.create_server((host, port), backlog=BACKLOG)
    except OSError as error:
        raise StartupProblem(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return listening


def run_server(asgi: Any, listening: socket.socket) -> None:
    """Serve ``asgi`` on ``listening`` with sopbot's uvicorn setup until SIGTERM or SIGINT
    (``bench/slack_ack.py`` serves its bare Bolt app with it too, for a fair comparison)."""
    import uvicorn

    config = uvicorn.Config(
        asgi,
        lifespan="off",
        log_config=None,
        access_log=False,
        backlog=BACKLOG,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    with _signals_end_the_server():
        uvicorn.Server(config).run(sockets=[listening])


def _refused(command: str, problem: StartupProblem) -> int:
    print(f"{command}: {problem}", file=sys.stderr)
    return problem.code


def configure_logging() -> None:
    """The worker's one-line log records on stderr; the scheduler's per-wake chatter off."""
    from bot.cli.worker_cmd import configure_logging as one_line_records

    one_line_records(logging.StreamHandler(sys.stderr))
    logging.getLogger("apscheduler").setLevel(logging.ERROR)


@contextmanager
def _signals_end_the_server() -> Iterator[None]:
    """uvicorn stops on SIGTERM and SIGINT, then raises the signal again for the handler
    it found; with this one in place the process closes its worker and exits 0 instead of
    dying at that point."""
    previous = {
        signum: signal.signal(signum, _ignore) for signum in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _ignore(_signum: int, _frame: FrameType | None) -> None:
    """The server has already been told to stop."""


def open_process(settings: Settings) -> SlackProcess:
    """The Slack-facing process, or ``StartupProblem`` saying in one line why not."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.catalogue.registry import CatalogueError
    from handlers.slack.process import open_slack_process
    from storage.outages import DatabaseOutage, describe, retrying

    if not settings.sops_dir.is_dir():
        raise StartupProblem(
            f"no SOP folder at {settings.sops_dir} (set --sops or SOPBOT_SOPS_DIR)"
        )
    try:  # a database restarting is waited for a few seconds
        process = retrying(lambda: open_slack_process(settings), what="opening the database")
    except (CatalogueError, ValueError, OSError) as error:
        raise StartupProblem(str(error)) from None
    except (SQLAlchemyError, DatabaseOutage) as error:
        cause = error.__cause__ if isinstance(error, DatabaseOutage) else error
        raise StartupProblem(f"cannot open the database: {describe(cause or error)}", 1) from None
    for diagnostic in process.sopbot.runtime.library.diagnostics:
        if diagnostic.severity == "error":
            log.warning("skipped: %s", diagnostic.render())
    return process


def _summary(process: SlackProcess) -> str:
    runtime = process.sopbot.runtime
    database = runtime.database.url.render_as_string(hide_password=True)
    return f"{len(runtime.library.procedures)} procedures · {database}"
