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
import hashlib
import hmac
import json
import time
import urllib.parse
from dataclasses import dataclass

from _common import machine_line, percentile, print_table, run_cli
from _serving import (
    LOAD_HEADERS,
    REPO,
    SECRETS_KEY,
    Load,
    Request,
    bare_app,
    drive,
    fake_slack,
    scratch_database,
    serve_bare,
    sopbot_serve,
)

SECRET = "bench-signing-secret"
SLACK_LIMIT = 3.0
GOAL_P99 = 0.100
GOAL_RATIO = 1.5
RUN_TEXT = "run refund order_id=1042 reason=damaged"


@dataclass
class Accepted:
    """``/sop run`` commands sopbot answered as started."""

    runs: int = 0

    def heard(self, request: Request, status: int, answer: bytes) -> None:
        if request.kind == "run" and status == 200 and answer.startswith(b'{"text": "On it'):
            self.runs += 1


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
        return serve_bare_bolt()
    print(f"Machine: {machine_line()}")
    print(
        f"{args.clients} clients, {args.seconds:g} s each; requests: /sop run, /sop help, Approve"
    )
    results: list[tuple[str, Load]] = []
    verdicts: list[str] = []
    with fake_slack() as slack_url:
        with bare_app(__file__, {"SOPBOT_SLACK_API_URL": slack_url}) as url:
            bare = drive(url, args.clients, args.seconds, _request, Accepted().heard)
        results.append(("bare Bolt app", bare))
        backends = (
            [("SQLite", None)]
            if args.skip_postgres
            else [("SQLite", None), ("PostgreSQL", args.postgres)]
        )
        for name, postgres in backends:
            with scratch_database(postgres, "slack") as url:
                accepted = Accepted()
                env = {"SLACK_SIGNING_SECRET": SECRET}
                with sopbot_serve(url, slack_url, REPO / "sops", env) as base:
                    measured = drive(base, args.clients, args.seconds, _request, accepted.heard)
                runs = drain_and_count(url)
            results.append((f"sopbot serve, {name}", measured))
            verdicts += judge(name, measured, bare, runs, accepted.runs)
    print()
    print_table(LOAD_HEADERS, [load.row(name) for name, load in results])
    print()
    for line in verdicts:
        print(line)
    print(f"Load afterwards: {machine_line().split('; ')[-1]}")
    return 0 if all(line.startswith("ok") for line in verdicts) else 1


def judge(name: str, sopbot: Load, bare: Load, runs: int, accepted_runs: int) -> list[str]:
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
        (runs == accepted_runs, f"{accepted_runs} accepted /sop run → {runs} runs"),
    ]
    return [f"{'ok' if good else 'MISSED'} [{name}] {text}" for good, text in checks]


# --- the load -------------------------------------------------------------------------------


def _request(client: int, sent: int) -> Request:
    """The ``sent``-th request of ``client``: a run, a help or a click in turn, signed."""
    kind = ("run", "help", "click")[sent % 3]
    body = _body(kind, client, sent)
    stamp = str(int(time.time()))
    signature = hmac.new(
        SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256
    ).hexdigest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={signature}",
    }
    return Request("/slack/events", headers, body, kind)


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


# --- the servers ------------------------------------------------------------------------------


def serve_bare_bolt() -> int:
    """The baseline: a Bolt app whose listeners only ack, served as sopbot serves."""
    import os

    from slack_bolt import Ack, App

    from bot.adapters.slack.client import web_client
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

    asgi = SopbotAsgi(app, lambda: None)
    try:
        return serve_bare(asgi)
    finally:
        asgi.close()


# --- the check afterwards ----------------------------------------------------------------------


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
