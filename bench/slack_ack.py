"""How fast Slack hears back: signed slash commands and button clicks from many clients at
once, to ``sopbot serve`` and to a bare Bolt app served the same way.

    .venv/bin/python bench/slack_ack.py [--seconds 30] [--clients 50] [--postgres URL | --skip-postgres]

Each client keeps one HTTP/1.1 connection and sends, in turn, ``/sop run refund …`` (recorded
in the durable inbox, then acked), ``/sop help`` (answered in the ack) and a click on an
Approve button (recorded, then acked), each signed as Slack signs it. ``sopbot serve`` runs
as its own process on the sample SOPs, its worker doing the recorded work meanwhile and
calling a fake Slack Web API in this process; the bare app is one Bolt listener per kind that
only acks, under the same ``SopbotAsgi`` and uvicorn setup (``bot.cli.serve_cmd.run_server``).

Afterwards sopbot is stopped and every request it recorded but had not done yet is done here
(recorded requests only: the runs they start are counted, not advanced); then each accepted
``/sop run`` must have become exactly one run.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the fake Slack and signed payloads of tests/slack

from _common import (  # noqa: E402
    BenchError,
    machine_line,
    percentile,
    postgres_admin_url,
    print_table,
    run_cli,
    scratch_directory,
    scratch_postgres,
    sqlite_url,
)

SECRET = "bench-signing-secret"
SLACK_LIMIT = 3.0
GOAL_P99 = 0.100
GOAL_RATIO = 1.5
RUN_TEXT = "run refund order_id=1042 reason=damaged"


@dataclass
class Load:
    """What the clients saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    accepted_runs: int = 0
    seconds: float = 0.0

    def row(self, name: str) -> list[str]:
        ordered = sorted(self.latencies)
        return [
            name,
            f"{len(ordered)}",
            f"{len(ordered) / self.seconds:.0f}/s",
            f"{percentile(ordered, 0.5) * 1000:.1f} ms",
            f"{percentile(ordered, 0.99) * 1000:.1f} ms",
            f"{ordered[-1] * 1000:.0f} ms",
            ", ".join(f"{code}: {count}" for code, count in sorted(self.statuses.items())),
        ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        return serve_bare()
    print(f"Machine: {machine_line()}")
    print(
        f"{args.clients} clients, {args.seconds:g} s each; requests: /sop run, /sop help, Approve"
    )
    results: list[tuple[str, Load]] = []
    verdicts: list[str] = []
    with fake_slack() as slack_url:
        with bare_app(slack_url) as url:
            bare = asyncio.run(load(url, args.clients, args.seconds))
        results.append(("bare Bolt app", bare))
        backends = (
            [("SQLite", None)]
            if args.skip_postgres
            else [("SQLite", None), ("PostgreSQL", args.postgres)]
        )
        for name, postgres in backends:
            with database(postgres) as url:
                with sopbot_serve(url, slack_url, REPO / "sops") as base:
                    measured = asyncio.run(load(base, args.clients, args.seconds))
                runs = drain_and_count(url)
            results.append((f"sopbot serve, {name}", measured))
            verdicts += judge(name, measured, bare, runs)
    print()
    print_table(
        ["server", "requests", "throughput", "p50", "p99", "max", "HTTP status"],
        [load.row(name) for name, load in results],
    )
    print()
    for line in verdicts:
        print(line)
    print(f"Load afterwards: {machine_line().split('; ')[-1]}")
    return 0 if all(line.startswith("ok") for line in verdicts) else 1


def judge(name: str, sopbot: Load, bare: Load, runs: int) -> list[str]:
    p99 = percentile(sorted(sopbot.latencies), 0.99)
    bare_p99 = percentile(sorted(bare.latencies), 0.99)
    slow = sum(1 for latency in sopbot.latencies if latency > SLACK_LIMIT)
    failed = sum(count for code, count in sopbot.statuses.items() if code != 200)
    checks = [
        (p99 <= GOAL_P99, f"p99 {p99 * 1000:.1f} ms (goal ≤ {GOAL_P99 * 1000:.0f} ms)"),
        (
            p99 <= GOAL_RATIO * bare_p99,
            f"p99 {p99 / bare_p99:.2f}x the bare app's (goal ≤ {GOAL_RATIO}x)",
        ),
        (slow == 0, f"{slow} requests over {SLACK_LIMIT:g} s"),
        (failed == 0, f"{failed} answers other than 200"),
        (runs == sopbot.accepted_runs, f"{sopbot.accepted_runs} accepted /sop run → {runs} runs"),
    ]
    return [f"{'ok' if good else 'MISSED'} [{name}] {text}" for good, text in checks]


# --- the load -------------------------------------------------------------------------------


async def load(url: str, clients: int, seconds: float) -> Load:
    """``clients`` connections sending for ``seconds``; what they saw."""
    parsed = urllib.parse.urlsplit(url)
    result = Load()
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    await asyncio.gather(
        *(
            _client(parsed.hostname or "127.0.0.1", parsed.port or 80, number, deadline, result)
            for number in range(clients)
        )
    )
    result.seconds = time.monotonic() - started
    return result


async def _client(host: str, port: int, number: int, deadline: float, result: Load) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    sent = 0
    try:
        while time.monotonic() < deadline:
            kind = ("run", "help", "click")[sent % 3]
            body = _body(kind, number, sent)
            started = time.monotonic()
            status, answer = await _post(reader, writer, host, body)
            result.latencies.append(time.monotonic() - started)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            if kind == "run" and status == 200 and answer.startswith(b'{"text": "On it'):
                result.accepted_runs += 1
            sent += 1
    finally:
        writer.close()


def _body(kind: str, client: int, number: int) -> bytes:
    user = ("U01MARIA", "U02DEV")[client % 2]
    trigger = f"{client}.{number}.{time.time_ns()}"
    if kind == "click":
        payload = {
            "type": "block_actions",
            "user": {"id": "U03SAM", "username": "sam", "name": "sam", "team_id": "T0SOPBOT"},
            "api_app_id": "A0SOPBOT",
            "token": "verification-token",
            "container": {
                "type": "message",
                "message_ts": "1700000001.000100",
                "channel_id": "C02SUPPORT",
                "is_ephemeral": False,
            },
            "trigger_id": trigger,
            "team": {"id": "T0SOPBOT", "domain": "sopbot-bench"},
            "channel": {"id": "C02SUPPORT", "name": "support"},
            "message": {"type": "message", "ts": "1700000001.000100", "text": "Approval"},
            "response_url": "https://hooks.slack.com/actions/T0SOPBOT/1/x",
            "actions": [
                {
                    "action_id": "approve",
                    "block_id": "decide",
                    "type": "button",
                    "value": "a-bench00000",
                    "text": {"type": "plain_text", "text": "Approve"},
                    "action_ts": f"{time.time():.6f}{client:03d}{number}",
                }
            ],
        }
        return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    form = {
        "token": "verification-token",
        "team_id": "T0SOPBOT",
        "team_domain": "sopbot-bench",
        "channel_id": "C02SUPPORT",
        "channel_name": "support",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/sop",
        "text": RUN_TEXT if kind == "run" else "help",
        "api_app_id": "A0SOPBOT",
        "response_url": "https://hooks.slack.com/commands/T0SOPBOT/1/x",
        "trigger_id": trigger,
    }
    return urllib.parse.urlencode(form).encode()


async def _post(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, body: bytes
) -> tuple[int, bytes]:
    stamp = str(int(time.time()))
    signature = hmac.new(
        SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256
    ).hexdigest()
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nX-Slack-Request-Timestamp: {stamp}\r\n"
        f"X-Slack-Signature: v0={signature}\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    answer = await reader.readexactly(length)
    return int(status_line.split()[1]), answer


# --- the servers ------------------------------------------------------------------------------


def serve_bare() -> int:
    """The baseline: a Bolt app whose listeners only ack, served as sopbot serves."""
    import os

    from slack_bolt import Ack, App

    from bot.adapters.slack.client import web_client
    from bot.cli.serve_cmd import listen, run_server
    from handlers.http import SopbotAsgi

    app = App(  # as handlers.slack.app builds sopbot's, on the same fake Web API
        signing_secret=SECRET,
        client=web_client("xoxb-bench", os.environ["SOPBOT_SLACK_API_URL"]),
        token_verification_enabled=False,
        process_before_response=False,
    )

    @app.command("/sop")
    def command(ack: Ack) -> None:
        ack(response_type="ephemeral", text="On it")

    @app.action("approve")
    def click(ack: Ack) -> None:
        ack()

    listening = listen("127.0.0.1", 0)
    print(f"bare app at http://127.0.0.1:{listening.getsockname()[1]}", flush=True)
    asgi = SopbotAsgi(app, lambda: None)
    try:
        run_server(asgi, listening)
    finally:
        asgi.close()
    return 0


@contextmanager
def bare_app(slack_url: str) -> Iterator[str]:
    env = {"SOPBOT_SLACK_API_URL": slack_url}
    with _process([sys.executable, __file__, "--serve-bare"], env, "bare app at ") as line:
        yield line.split(" at ")[1].strip()


@contextmanager
def sopbot_serve(database_url: str, slack_url: str, sops: Path) -> Iterator[str]:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SOPBOT_SLACK_API_URL": slack_url,
        "SOPBOT_SECRETS_KEY": SECRETS_KEY,
    }
    command = [
        str(Path(sys.executable).with_name("sopbot")),
        "serve",
        "--port",
        "0",
        "--sops",
        str(sops),
        "--database",
        database_url,
    ]
    with _process(command, env, "serving Slack over HTTP at ") as line:
        yield line.split(" at ")[1].split("/slack/events")[0]


@contextmanager
def _process(command: list[str], env: dict[str, str], ready: str) -> Iterator[str]:
    """A server process until the block ends (then SIGTERM); its line containing ``ready``."""
    import os

    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SOPBOT_", "SLACK_"))}
    environment.update(env)
    process = subprocess.Popen(
        command,
        env=environment,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    try:
        for line in process.stdout:
            if ready in line:
                break
        else:
            raise BenchError(f"{command[1]} ended before it served: exit {process.wait()}")
        yield line
    finally:
        process.terminate()
        if process.wait(timeout=60) != 0:
            raise BenchError(f"{' '.join(command[:2])} stopped with exit {process.returncode}")


@contextmanager
def fake_slack() -> Iterator[str]:
    """The fake Slack Web API of the tests, with the sample SOPs' people and channels."""
    import logging

    from pytest_httpserver import HTTPServer

    from tests.slack.fake_web_api import FakeSlack

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per call otherwise
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    fake = FakeSlack(server)
    fake.add_channel("C02SUPPORT", "support")
    fake.add_channel("C03OPS", "ops")
    for user_id, name in (
        ("U01MARIA", "maria"),
        ("U02DEV", "dev"),
        ("U03SAM", "sam"),
        ("U04LEE", "lee"),
    ):
        fake.add_user(user_id, name, display_name=name.title())
    fake.add_group("S01FINANCE", "finance", ["U03SAM"])
    fake.add_group("S02SUPPORTLEADS", "support-leads", ["U04LEE"])
    try:
        yield fake.url
    finally:
        fake.release()
        server.stop()


@contextmanager
def database(postgres: str | None) -> Iterator[str]:
    if postgres is None:
        with scratch_directory() as directory:
            yield sqlite_url(directory / "sopbot.db")
        return
    with scratch_postgres(postgres_admin_url(postgres), "slack") as url:
        yield url.render_as_string(hide_password=False)


# --- the check afterwards ----------------------------------------------------------------------


def _secrets_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


SECRETS_KEY = _secrets_key()


def drain_and_count(database_url: str) -> int:
    """Do every recorded request sopbot had not done before it stopped (none of the runs'
    own steps), then count the runs."""
    import datetime as dt

    from pydantic import SecretStr
    from sqlalchemy import func, select

    from bot.app.door import FrontDoor
    from bot.app.inbox import INBOUND, register_inbox
    from bot.chat.recording import RecordingChat
    from bot.clock.time import ManualClock
    from bot.config import Settings
    from bot.wiring import assemble
    from storage.models import Run

    settings = Settings(
        database_url=database_url,
        sops_dir=REPO / "sops",
        worker_id="bench-drain",
        secrets_key=SecretStr(SECRETS_KEY),
    )
    # past every lease the stopped process may still hold
    clock = ManualClock(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=settings.lease_seconds + 60))
    chat = RecordingChat()
    sopbot = assemble(settings, clock=clock, chat=lambda _database, _people: chat, schedules=False)
    try:
        register_inbox(sopbot.engine, FrontDoor(sopbot.engine, sopbot.directory, chat))
        worker = sopbot.engine.worker
        worker.handlers = {INBOUND: worker.handlers[INBOUND]}
        while worker.run_due(batch=200, max_rounds=1):
            pass
        with sopbot.database.session(read_only=True) as session:
            return int(session.scalar(select(func.count()).select_from(Run)) or 0)
    finally:
        sopbot.runtime.close()


if __name__ == "__main__":
    run_cli(main)
