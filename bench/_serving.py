"""What the HTTP benchmarks share: ``sopbot serve`` and a bare reference app, each in a
process of its own under the same uvicorn setup; the fake Slack Web API ``sopbot serve``
needs; scratch databases; and keep-alive clients that time every answer.

The clients are asyncio connections in the benchmark's process, each sending its next
request as soon as it has read the last answer (no pause: the load is ``clients`` requests
always in flight). A bare app measured the same way in the same run shows what the HTTP
stack and the clients cost on their own.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import (
    BenchError,
    percentile,
    postgres_admin_url,
    scratch_directory,
    scratch_postgres,
    sqlite_url,
)

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the fake Slack Web API of tests/slack
BARE_READY = "bare app at "
SERVE_READY = "serving Slack over HTTP at "
STOP_SECONDS = 60.0


@dataclass(frozen=True)
class Request:
    """One request a client sends; ``kind`` tells the benchmark what answer to expect."""

    path: str
    headers: Mapping[str, str]
    body: bytes
    kind: str


@dataclass
class Load:
    """What the clients saw: every answer's latency and status, over ``seconds``."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    def percentile(self, share: float) -> float:
        return percentile(sorted(self.latencies), share)

    @property
    def rate(self) -> float:
        """Answers per second."""
        return len(self.latencies) / self.seconds

    def row(self, name: str) -> list[str]:
        return [
            name,
            f"{len(self.latencies)}",
            f"{self.rate:.0f}/s",
            f"{self.percentile(0.5) * 1000:.1f} ms",
            f"{self.percentile(0.99) * 1000:.1f} ms",
            f"{max(self.latencies) * 1000:.0f} ms",
            ", ".join(f"{code}: {count}" for code, count in sorted(self.statuses.items())),
        ]


LOAD_HEADERS = ["server", "requests", "throughput", "p50", "p99", "max", "HTTP status"]

MakeRequest = Callable[[int, int], Request]
"""The request client ``number`` sends as its ``sent``-th."""
Heard = Callable[[Request, int, bytes], None]
"""Told each request with the status and body of its answer."""


def drive(url: str, clients: int, seconds: float, make: MakeRequest, heard: Heard) -> Load:
    """``clients`` keep-alive connections to ``url`` sending for ``seconds``; what they saw."""
    return asyncio.run(_drive(url, clients, seconds, make, heard))


async def _drive(url: str, clients: int, seconds: float, make: MakeRequest, heard: Heard) -> Load:
    parsed = urllib.parse.urlsplit(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    result = Load()
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(
        *(_client(host, port, number, deadline, make, heard, result) for number in range(clients))
    )
    result.seconds = time.monotonic() - started
    return result


async def _client(
    host: str,
    port: int,
    number: int,
    deadline: float,
    make: MakeRequest,
    heard: Heard,
    result: Load,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    sent = 0
    try:
        while time.monotonic() < deadline:
            request = make(number, sent)
            started = time.monotonic()
            status, answer = await _exchange(reader, writer, host, request)
            result.latencies.append(time.monotonic() - started)
            result.statuses[status] = result.statuses.get(status, 0) + 1
            heard(request, status, answer)
            sent += 1
    finally:
        writer.close()


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, request: Request
) -> tuple[int, bytes]:
    """POST ``request`` on the connection and read the whole answer: (status, body)."""
    head = f"POST {request.path} HTTP/1.1\r\nHost: {host}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in request.headers.items()
    )
    head += f"Content-Length: {len(request.body)}\r\n\r\n"
    writer.write(head.encode("latin-1") + request.body)
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


def serve_bare(asgi: Any) -> int:
    """Serve a reference app as ``sopbot serve`` serves (``run_server``) on a free port,
    announcing its URL; called in the benchmark script's own ``--serve-bare`` process."""
    from bot.cli.serve_cmd import listen, run_server

    listening = listen("127.0.0.1", 0)
    print(f"{BARE_READY}http://127.0.0.1:{listening.getsockname()[1]}", flush=True)
    run_server(asgi, listening)
    return 0


@contextmanager
def bare_app(script: str, env: Mapping[str, str]) -> Iterator[str]:
    """``script --serve-bare`` in a process of its own until the block ends; its base URL."""
    command = [sys.executable, script, "--serve-bare"]
    with served(command, env, BARE_READY) as line:
        yield line.split(" at ")[1].strip()


@contextmanager
def sopbot_serve(
    database_url: str, slack_url: str, sops: Path, env: Mapping[str, str]
) -> Iterator[str]:
    """``sopbot serve`` on ``sops`` and ``database_url`` with Slack's settings pointed at
    ``slack_url`` and ``env`` added, until the block ends; its base URL."""
    environment = {
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SOPBOT_SLACK_API_URL": slack_url,
        "SOPBOT_SECRETS_KEY": SECRETS_KEY,
        **env,
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
    with served(command, environment, SERVE_READY) as line:
        yield line.split(" at ")[1].split("/slack/events")[0]


@contextmanager
def served(command: list[str], env: Mapping[str, str], ready: str) -> Iterator[str]:
    """A server process until the block ends (then SIGTERM, and it must exit 0); its first
    line containing ``ready``. The shell's own sopbot and Slack settings are left out."""
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
        if process.wait(timeout=STOP_SECONDS) != 0:
            raise BenchError(f"{' '.join(command[:2])} stopped with exit {process.returncode}")


@contextmanager
def fake_slack() -> Iterator[str]:
    """The fake Slack Web API of the tests, with the sample SOPs' people and channels."""
    import logging

    from tests.loopback import threaded_server
    from tests.slack.fake_web_api import FakeSlack

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per call otherwise
    with threaded_server() as server:
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


@contextmanager
def scratch_database(postgres: str | None, label: str) -> Iterator[str]:
    """A new, empty database's URL: a SQLite file, or a scratch database on the PostgreSQL
    server ``postgres`` names; removed afterwards."""
    if postgres is None:
        with scratch_directory() as directory:
            yield sqlite_url(directory / "sopbot.db")
        return
    with scratch_postgres(postgres_admin_url(postgres), label) as url:
        yield url.render_as_string(hide_password=False)


def _secrets_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


SECRETS_KEY = _secrets_key()
"""The Fernet key ``sopbot serve`` and any process draining after it share."""
