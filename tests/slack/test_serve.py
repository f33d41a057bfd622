"""``sopbot serve`` as an operator runs it: a real process under uvicorn on an ephemeral
loopback port, Slack's signed requests answered within the ack while the worker inside the
process does the work, a health check for load balancers, and bodies no Slack request has
refused before they are parsed."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.slack.fake_web_api import FakeSlack
from tests.slack.launch import REPO, SECRET, Launched, environment, launched, wait_until
from tests.slack.signed import Answer, SignedSlack

SUPPORT = "C02SUPPORT"
SLACK_LIMIT_SECONDS = 3.0


@pytest.fixture
def workspace(slack: FakeSlack) -> FakeSlack:
    """The fake workspace with the support leads the refund SOP names."""
    slack.add_user("U04LEE", "lee", display_name="Lee")
    slack.add_group("S02SUPPORTLEADS", "support-leads", ["U04LEE"])
    return slack


def serve(database_url: str, slack: FakeSlack, cwd: Path) -> Iterator[tuple[Launched, str]]:
    """``sopbot serve --port 0`` on ``database_url``, and the base URL it says it serves."""
    env = environment(slack.url, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_SIGNING_SECRET=SECRET)
    args = ["serve", "--port", "0", "--sops", str(REPO / "sops"), "--database", database_url]
    with launched(args, env, cwd) as process:
        found = process.wait_for(r"serving Slack over HTTP at (http://\S+)/slack/events")
        yield process, found.group(1)
        assert process.stop() == 0, process.text()
        assert "Traceback" not in process.text(), process.text()


@pytest.fixture
def served(
    empty_database_url: str, workspace: FakeSlack, tmp_path: Path
) -> Iterator[tuple[Launched, str]]:
    yield from serve(empty_database_url, workspace, tmp_path)


def timed(send: Any, *args: Any, **kwargs: Any) -> tuple[Answer, float]:
    started = time.monotonic()
    answer = send(*args, **kwargs)
    return answer, time.monotonic() - started


def get(url: str, *, data: bytes | None = None) -> Answer:
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode())


def approve_cards(slack: FakeSlack) -> list[dict[str, Any]]:
    return [
        message
        for message in slack.posted(SUPPORT)
        if any(
            element.get("action_id") == "approve"
            for block in message.get("blocks", [])
            if block.get("type") == "actions"
            for element in block.get("elements", [])
        )
    ]


def test_a_command_and_a_click_are_answered_within_the_ack_and_done_by_the_process(
    served: tuple[Launched, str], workspace: FakeSlack
) -> None:
    _process, base = served
    slack = SignedSlack(f"{base}/slack/events", SECRET)

    helped, took = timed(slack.command, "help", user="U02DEV")
    assert helped.status == 200
    assert took < SLACK_LIMIT_SECONDS
    assert helped.json()["response_type"] == "ephemeral"
    assert "/sop run" in helped.text

    started, took = timed(slack.command, "run refund order_id=1042 reason=damaged", user="U02DEV")
    assert started.status == 200
    assert took < SLACK_LIMIT_SECONDS
    assert started.text.startswith("On it: starting refund")
    wait_until(lambda: approve_cards(workspace), "the approval card in #support")

    (card,) = approve_cards(workspace)
    clicked, took = timed(slack.click, card, "approve", user="U03SAM", channel=SUPPORT)
    assert clicked.status == 200
    assert took < SLACK_LIMIT_SECONDS
    wait_until(
        lambda: any(c.args.get("ts") == card["ts"] for c in workspace.calls_to("chat.update")),
        "the decided card updated in place",
    )


@pytest.mark.parametrize("empty_database_url", ["postgresql"], indirect=True)
def test_the_health_check_says_200_while_the_database_answers_and_503_once_it_is_gone(
    served: tuple[Launched, str], empty_database_url: str
) -> None:
    _process, base = served
    healthy = get(f"{base}/healthz")
    assert (healthy.status, healthy.json()) == (200, {"ok": True})

    url = make_url(empty_database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{url.database}" WITH (FORCE)'))
    admin.dispose()

    down = get(f"{base}/healthz")
    assert down.status == 503
    assert down.json()["ok"] is False
    assert down.json()["error"].startswith("the database cannot be used")


@pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True)
def test_a_10_mb_body_is_refused_with_413_and_other_paths_say_where_slack_posts(
    served: tuple[Launched, str],
) -> None:
    _process, base = served
    huge = get(f"{base}/slack/events", data=b"payload=" + b"x" * 10_000_000)
    assert huge.status == 413
    assert huge.json() == {"ok": False, "error": "request body over 1000000 bytes refused"}

    webhook = get(f"{base}/webhooks/jira", data=json.dumps({"issue": {}}).encode())
    assert webhook.status == 404
    assert "set SOPBOT_WEBHOOK_JIRA_SECRET" in webhook.json()["error"]
    elsewhere = get(f"{base}/events")
    assert elsewhere.status == 404
    assert "Slack posts to /slack/events" in elsewhere.json()["error"]
    assert get(f"{base}/healthz").status == 200  # still serving
