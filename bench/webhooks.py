"""How many signed webhook deliveries ``sopbot serve`` takes, how fast it answers, and that
every new one starts exactly one run: against a bare app served the same way.

    .venv/bin/python bench/webhooks.py [--seconds 30] [--clients 20]
                                       [--database postgresql+psycopg://USER@HOST/DB]

Each client keeps one HTTP/1.1 connection and posts Standard Webhooks deliveries to
``/webhooks/bench``, signed with the ``standardwebhooks`` package as a sender signs them,
one after another for ``--seconds``. Every fourth is a duplicate: a delivery some client
had accepted before, resent with its id, body and signature (a sender's retry). Every new
delivery matches the one SOP's event trigger, so each must become one run.

``sopbot serve`` runs as its own process on a scratch database (a SQLite file, or a new
database on the PostgreSQL server ``--database`` names) with its worker inside starting the
runs meanwhile. Afterwards the benchmark waits for the worker to finish every recorded
delivery and counts the runs. The bare app reads each body and answers 202 under the same
uvicorn setup (``bot.cli.serve_cmd.run_server``): the floor of the HTTP stack and of these
clients, so the ratio is sopbot's own cost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import tempfile
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from _common import BenchError, machine_line, print_table, run_cli
from _serving import (
    LOAD_HEADERS,
    Load,
    Request,
    bare_app,
    drive,
    fake_slack,
    scratch_database,
    serve_bare,
    sopbot_serve,
)
from standardwebhooks import Webhook

WEBHOOK = "bench"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
EVENT = "order.refund_requested"
DUPLICATE_EVERY = 4
"""Every fourth delivery of a client is a duplicate: a quarter of all deliveries."""
GOAL_RATE = 300.0
GOAL_P99 = 0.100
DRAIN_TIMEOUT_S = 300.0
"""How long the worker gets, after the load, to start the runs of every recorded delivery."""
POLL_S = 0.2

BENCH_SOP = textwrap.dedent(
    f"""\
    id: bench-refund
    title: Benchmark refund noted
    owner: U01MARIA
    version: 1
    review: {{every: 365d, last_reviewed: 2026-11-01}}
    mode: autonomous
    trigger:
      events:
        - source: {WEBHOOK}
          type: {EVENT}
          filter: event.amount > 0
    inputs:
      order_id: {{type: string, from: "{{{{ trigger.order_id }}}}"}}
    steps:
      - id: done
        end: completed
        message: "refund of order {{{{ inputs.order_id }}}} noted"
    """
)


@dataclass
class Deliveries:
    """What the clients send and what they heard back, shared by all of them."""

    sender: Webhook = field(default_factory=lambda: Webhook(SECRET))
    accepted: list[Request] = field(default_factory=list)
    sent: Counter[str] = field(default_factory=Counter)
    refused_duplicates: int = 0
    unexpected: Counter[tuple[str, int]] = field(default_factory=Counter)
    chooser: random.Random = field(default_factory=lambda: random.Random(7))

    def make(self, client: int, number: int) -> Request:
        """A duplicate of an accepted delivery every ``DUPLICATE_EVERY``, else a new one."""
        if number % DUPLICATE_EVERY == DUPLICATE_EVERY - 1 and self.accepted:
            request = replace(self.chooser.choice(self.accepted), kind="duplicate")
        else:
            request = self._new(f"msg_{client}_{number}", f"{client}-{number}")
        self.sent[request.kind] += 1
        return request

    def heard(self, request: Request, status: int, answer: bytes) -> None:
        if request.kind == "new" and status == 202:
            self.accepted.append(request)
        elif request.kind == "duplicate" and status == 200 and json.loads(answer)["duplicate"]:
            self.refused_duplicates += 1
        else:
            self.unexpected[(request.kind, status)] += 1

    def _new(self, delivery_id: str, order_id: str) -> Request:
        now = dt.datetime.now(dt.UTC)
        payload = {
            "type": EVENT,
            "timestamp": now.isoformat(),
            "data": {"order_id": order_id, "amount": 30},
        }
        body = json.dumps(payload)
        headers = {
            "Content-Type": "application/json",
            "webhook-id": delivery_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self.sender.sign(delivery_id, now, body),
        }
        return Request(f"/webhooks/{WEBHOOK}", headers, body.encode(), "new")


@dataclass(frozen=True)
class Drained:
    """The database after the worker finished: runs, the distinct deliveries they came from,
    and how long after the load the last one started."""

    runs: int
    distinct: int
    left: int
    seconds: float


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument(
        "--database",
        metavar="POSTGRES_URL",
        help="a PostgreSQL server to run on (a scratch database is made there and dropped); "
        "default: a scratch SQLite file",
    )
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        return serve_bare(accept_everything)
    if args.database and not args.database.startswith("postgresql"):
        raise BenchError(
            f"--database takes a postgresql+psycopg:// URL, not {args.database!r}; "
            "leave it out to run on a scratch SQLite file"
        )
    backend = "PostgreSQL" if args.database else "SQLite"
    print(f"Machine: {machine_line()}")
    print(
        f"{args.clients} clients, {args.seconds:g} s each; signed deliveries to "
        f"/webhooks/{WEBHOOK}, every {DUPLICATE_EVERY}th a duplicate; sopbot on {backend}"
    )
    with bare_app(__file__, {}) as url:
        bare = drive(url, args.clients, args.seconds, *_handlers(Deliveries()))
    deliveries = Deliveries()
    with (
        scratch_database(args.database, "webhooks") as database_url,
        tempfile.TemporaryDirectory(prefix="sopbot-bench-sops-") as sops,
        fake_slack() as slack_url,
    ):
        (Path(sops) / "bench-refund.yml").write_text(BENCH_SOP)
        env = {"SLACK_SIGNING_SECRET": "unused-by-webhooks", "SOPBOT_WEBHOOK_BENCH_SECRET": SECRET}
        with sopbot_serve(database_url, slack_url, Path(sops), env) as base:
            measured = drive(base, args.clients, args.seconds, *_handlers(deliveries))
            drained = wait_for_worker(database_url)
    print()
    print_table(
        LOAD_HEADERS, [bare.row("bare ASGI app (202)"), measured.row(f"sopbot serve, {backend}")]
    )
    print()
    verdicts = report(backend, measured, bare, deliveries, drained)
    print(f"Load afterwards: {machine_line().split('; ')[-1]}")
    return 0 if all(line.startswith("ok") for line in verdicts) else 1


def _handlers(
    deliveries: Deliveries,
) -> tuple[Callable[[int, int], Request], Callable[[Request, int, bytes], None]]:
    return deliveries.make, deliveries.heard


async def accept_everything(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The reference: read the whole body and answer 202, as sopbot answers a new delivery."""
    from handlers.http import send_json

    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send_json(send, 202, {"ok": True})


def wait_for_worker(database_url: str) -> Drained:
    """Wait until no recorded delivery is left to do (or ``DRAIN_TIMEOUT_S``), then count."""
    from sqlalchemy import func, select

    from bot.app.inbox import INBOUND
    from storage.database import Database
    from storage.models import Run, Timer

    database = Database(database_url)
    pending = (
        select(func.count())
        .select_from(Timer)
        .where(Timer.kind == INBOUND, Timer.status.in_(("pending", "claimed")))
    )
    began = time.monotonic()
    try:
        while True:
            with database.session(read_only=True) as session:
                left = int(session.scalar(pending) or 0)
            waited = time.monotonic() - began
            if left == 0 or waited > DRAIN_TIMEOUT_S:
                break
            time.sleep(POLL_S)  # polling another process's progress, with a deadline
        with database.session(read_only=True) as session:
            orders = [inputs["order_id"] for inputs in session.scalars(select(Run.inputs))]
        return Drained(len(orders), len(set(orders)), left, waited)
    finally:
        database.dispose()


def report(
    backend: str, sopbot: Load, bare: Load, deliveries: Deliveries, drained: Drained
) -> list[str]:
    """Print the figures and the verdicts against the goals; the verdict lines."""
    accepted = len(deliveries.accepted)
    answered = sum(count for code, count in sopbot.statuses.items() if code in (200, 202))
    rate = answered / sopbot.seconds
    p99 = sopbot.percentile(0.99)
    errors = sum(deliveries.unexpected.values())
    print(
        f"sopbot: {answered} deliveries answered 2xx = {rate:.0f}/s "
        f"({rate / bare.rate:.2f}x the bare app's {bare.rate:.0f}/s); "
        f"p50 {sopbot.percentile(0.5) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms "
        f"({p99 / bare.percentile(0.99):.1f}x the bare app's)"
    )
    print(
        f"  new deliveries: {deliveries.sent['new']} sent, {accepted} accepted (202) = "
        f"{accepted / sopbot.seconds:.0f}/s; duplicates: {deliveries.sent['duplicate']} sent, "
        f"{deliveries.refused_duplicates} refused as duplicates (200)"
    )
    print(
        f"  runs started: {drained.runs} ({drained.distinct} distinct deliveries), the "
        f"worker finishing {drained.seconds:.1f} s after the load ended "
        f"({drained.runs / (sopbot.seconds + drained.seconds):.0f} runs/s overall)"
    )
    if deliveries.unexpected:
        shown = ", ".join(
            f"{kind} → {status}: {count}"
            for (kind, status), count in sorted(deliveries.unexpected.items())
        )
        print(f"  unexpected answers: {shown}")
    checks = [
        (rate >= GOAL_RATE, f"{rate:.0f} deliveries/s (goal ≥ {GOAL_RATE:.0f})"),
        (p99 <= GOAL_P99, f"p99 {p99 * 1000:.1f} ms (goal ≤ {GOAL_P99 * 1000:.0f} ms)"),
        (
            drained.left == 0 and drained.runs == drained.distinct == accepted,
            f"{accepted} deliveries accepted → {drained.runs} runs "
            f"({drained.left} deliveries left undone)",
        ),
        (
            deliveries.refused_duplicates == deliveries.sent["duplicate"],
            f"{deliveries.refused_duplicates} of {deliveries.sent['duplicate']} duplicates refused",
        ),
        (errors == 0, f"{errors} unexpected answers"),
    ]
    verdicts = [f"{'ok' if good else 'MISSED'} [{backend}] {text}" for good, text in checks]
    for line in verdicts:
        print(line)
    return verdicts


if __name__ == "__main__":
    run_cli(main)
