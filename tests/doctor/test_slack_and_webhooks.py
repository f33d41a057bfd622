"""Slack and the webhooks as ``sopbot doctor`` sees them: the bot token tried with
``auth.test`` against the fake Web API, the secret the chosen mode needs, Slack's clock, and
each webhook secret usable by its verifier; no token or secret ever printed."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer

from bot.doctor.diagnosis import diagnose
from tests.doctor.conftest import SAMPLE_SOPS, Doctor, Outcome
from tests.slack.fake_web_api import FakeSlack, refused

BOT_TOKEN = "xoxb-1234-doctor-token"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"a-webhook-signing-key-32-bytes!!").decode()


@pytest.fixture
def slack(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    """The fake Web API, with sopbot's bot token and HTTP mode's signing secret set."""
    fake = FakeSlack(httpserver)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SOPBOT_SLACK_API_URL", fake.url)
    try:
        yield fake
    finally:
        fake.release()


def test_slack_takes_the_token_and_http_mode_has_its_secret(
    doctor: Doctor, slack: FakeSlack
) -> None:
    outcome = doctor()

    assert outcome.code == 0, outcome.text
    assert outcome.line("Slack auth.test") == (
        "ok    Slack auth.test: the bot token works: sopbot in sopbot test"
    )
    assert outcome.line("Slack mode").startswith("ok    Slack mode: HTTP mode")
    assert slack.calls_to("auth.test")[0].headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert BOT_TOKEN not in outcome.text
    assert SIGNING_SECRET not in outcome.text


def test_a_token_slack_refuses_fails_with_what_to_fix(doctor: Doctor, slack: FakeSlack) -> None:
    slack.fail("auth.test", refused("invalid_auth", times=2))  # Slack actions, then Slack

    outcome = doctor()

    assert outcome.code == 1
    assert outcome.line("Slack auth.test") == (
        "FAIL  Slack auth.test: Slack refused auth.test: invalid_auth (the bot token is wrong: "
        "check SOPBOT_SLACK_BOT_TOKEN)"
    )
    assert outcome.line("slack: Slack actions") == (
        "FAIL  slack: Slack actions: Slack refused the bot token: check SLACK_BOT_TOKEN"
    )


def test_a_token_without_a_mode_fails(
    doctor: Doctor, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLACK_SIGNING_SECRET")

    outcome = doctor()

    assert outcome.code == 1
    assert outcome.line("Slack mode").startswith(
        "FAIL  Slack mode: neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET"
    )


def test_socket_mode_needs_an_app_level_token(
    doctor: Doctor, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-pasted-the-bot-token-again")

    outcome = doctor()

    assert outcome.code == 1
    assert outcome.line("Slack mode").startswith(
        "FAIL  Slack mode: SLACK_APP_TOKEN is not an app-level token (xapp-…)"
    )
    assert "xoxb-pasted-the-bot-token-again" not in outcome.text


def test_a_clock_minutes_off_slack_is_a_warning(slack: FakeSlack) -> None:
    behind = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)  # we run 3 minutes slow

    findings = diagnose(now=lambda: behind, database_url="sqlite:///:memory:", sops_dir=SAMPLE_SOPS)

    clock = [f for f in findings if f.subject == "Slack: clock"]
    assert [f.status for f in clock] == ["warn"]
    assert "ahead of this server's" in clock[0].detail


def test_webhook_secrets_usable_or_named_for_fixing(
    doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPBOT_WEBHOOK_SHOP_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("SOPBOT_WEBHOOK_BILLING_SECRET", "whsec_not*base64-at-all")

    outcome = doctor()

    assert outcome.code == 1
    assert outcome.line("webhook shop") == (
        "ok    webhook shop: SOPBOT_WEBHOOK_SHOP_SECRET is a usable Standard Webhooks secret"
    )
    assert outcome.line("webhook billing") == (
        "FAIL  webhook billing: SOPBOT_WEBHOOK_BILLING_SECRET is not a Standard Webhooks "
        "secret: write whsec_ followed by base64, as the sender shows it"
    )
    assert WEBHOOK_SECRET not in outcome.text
    assert "not*base64-at-all" not in outcome.text


def test_slack_actions_name_a_scope_the_bot_token_lacks(doctor: Doctor, slack: FakeSlack) -> None:
    slack.scopes = "chat:write,im:write,channels:read,channels:history,groups:write"

    outcome = doctor()

    assert outcome.code == 1
    assert outcome.line("slack: Slack actions scopes") == (
        "FAIL  slack: Slack actions scopes: the bot token lacks channels:manage "
        "(slack.create_channel and slack.invite (public channels)): add them to manifest.yml "
        "and reinstall the app, then update SLACK_BOT_TOKEN"
    )
    assert outcome.line("slack: Slack actions").startswith("ok    slack: Slack actions: the bot")
    assert "slack" not in _sandbox_namespaces(outcome)


def test_slack_actions_kept_in_the_sandbox_are_not_checked_in_slack(
    doctor: Doctor, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack.scopes = "chat:write"
    monkeypatch.setenv("SOPBOT_CONNECTOR_SLACK", "sandbox")

    outcome = doctor()

    assert outcome.code == 0, outcome.text
    assert "Slack actions" not in outcome.text
    assert "slack" in _sandbox_namespaces(outcome)


def _sandbox_namespaces(outcome: Outcome) -> list[str]:
    """The namespaces the doctor's sandbox line names."""
    (line,) = [
        line for line in outcome.lines if line.endswith("the sandbox: demo tools, no real calls")
    ]
    return line[6:].split(":")[0].split(", ")
