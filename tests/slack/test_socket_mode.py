"""``sopbot run`` with Slack's tokens: Socket Mode end to end against a local WebSocket fake
(the Web API fake's ``apps.connections.open`` hands out its ws:// URL), and the one line
that says which surface opens and why."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.slack.fake_socket_mode import FakeSocketMode, socket_mode
from tests.slack.fake_web_api import FakeSlack, refused
from tests.slack.launch import REPO, SOPBOT, environment, launched, wait_until
from tests.slack.signed import SignedSlack

APP_TOKEN = "xapp-1-A0SOPBOT-1-fake"
SUPPORT = "C02SUPPORT"


@pytest.fixture
def fake_socket(slack: FakeSlack) -> Iterator[FakeSocketMode]:
    slack.add_user("U04LEE", "lee", display_name="Lee")
    slack.add_group("S02SUPPORTLEADS", "support-leads", ["U04LEE"])
    with socket_mode() as fake:
        slack.socket_url = fake.url
        yield fake


@pytest.mark.parametrize("empty_database_url", ["sqlite"], indirect=True)
def test_socket_mode_acks_a_slash_command_envelope_and_the_process_does_the_run(
    empty_database_url: str, slack: FakeSlack, fake_socket: FakeSocketMode, tmp_path: Path
) -> None:
    env = environment(slack.url, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_APP_TOKEN=APP_TOKEN)
    args = ["run", "--sops", str(REPO / "sops"), "--database", empty_database_url]
    with launched(args, env, tmp_path) as process:
        process.wait_for(
            r"^SLACK_BOT_TOKEN and SLACK_APP_TOKEN are set: serving Slack over Socket Mode"
        )
        process.wait_for(r"Connected to Slack over Socket Mode · 9 procedures")
        fake_socket.connected()
        (opened,) = slack.calls_to("apps.connections.open")
        assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"

        form = SignedSlack("unused", "unused").command_form
        started = time.monotonic()
        helped = fake_socket.deliver("slash_commands", dict(form("help", user="U02DEV")))
        assert time.monotonic() - started < 3.0
        assert helped["payload"]["response_type"] == "ephemeral"
        assert "/sop run" in helped["payload"]["text"]

        run = form("run refund order_id=1042 reason=damaged", user="U02DEV")
        ran = fake_socket.deliver("slash_commands", dict(run))
        assert ran["payload"]["text"].startswith("On it: starting refund")
        wait_until(
            lambda: any("approve" in str(m.get("blocks")) for m in slack.posted(SUPPORT)),
            "the approval card in #support",
        )
        assert process.stop() == 0, process.text()
    assert "Traceback" not in process.text(), process.text()


def run_once(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SOPBOT), "run", "--sops", str(REPO / "sops"), "--database", f"sqlite:///{cwd}/s.db"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        input="",
        check=False,
    )


def test_run_says_which_surface_opens_and_what_is_missing(slack: FakeSlack, tmp_path: Path) -> None:
    console = run_once(environment(slack.url), tmp_path)
    assert console.returncode == 0
    assert console.stdout.splitlines()[0] == (
        "No SLACK_BOT_TOKEN set: opening the local console on the sandbox tools."
    )

    half = run_once(environment(slack.url, SLACK_BOT_TOKEN="xoxb-test-token"), tmp_path)
    assert half.returncode == 2
    assert half.stderr.strip() == (
        "sopbot run: SLACK_BOT_TOKEN is set, but neither SLACK_APP_TOKEN (Socket Mode) nor "
        "SLACK_SIGNING_SECRET (HTTP mode): set one of them (docs/slack.md), or unset "
        "SLACK_BOT_TOKEN for the local console"
    )

    slack.fail("apps.connections.open", refused("invalid_auth"))
    wrong = run_once(
        environment(slack.url, SLACK_BOT_TOKEN="xoxb-test-token", SLACK_APP_TOKEN="xapp-wrong"),
        tmp_path,
    )
    assert wrong.returncode == 2
    assert wrong.stderr.strip().splitlines()[-1] == (
        "sopbot run: SLACK_APP_TOKEN: Slack refused apps.connections.open: invalid_auth (an "
        "app-level token, xapp-…, with the connections:write scope; Socket Mode on in the app)"
    )
