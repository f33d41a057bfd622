"""Does Slack take the bot token, is the chosen mode's secret set, and is Slack's clock
close to ours (its request signatures are refused beyond five minutes)?"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.adapters.slack.calls import Retrying, SlackRefused, SlackUnavailable
from bot.adapters.slack.chat import SlackChat
from bot.adapters.slack.client import web_client
from bot.adapters.slack.directory import SlackDirectory
from bot.config import Settings
from bot.connectors.clock_skew import clock_health
from bot.doctor.findings import Finding, fail, ok

SUBJECT = "Slack"
TIMEOUT_SECONDS = 10


def slack_surface(settings: Settings) -> SlackChat | None:
    """The chat a Slack process would serve (None without a bot token), for the connectors
    that act through it; building it calls nothing."""
    if settings.slack_bot_token is None:
        return None
    client = web_client(
        settings.slack_bot_token.get_secret_value(), settings.slack_api_url, timeout=TIMEOUT_SECONDS
    )
    return SlackChat(client, SlackDirectory(client))


def check_slack(settings: Settings, now: Callable[[], dt.datetime]) -> list[Finding]:
    if settings.slack_bot_token is None:
        return [ok(SUBJECT, "SLACK_BOT_TOKEN not set: `sopbot run` opens the local console")]
    client = web_client(
        settings.slack_bot_token.get_secret_value(), settings.slack_api_url, timeout=TIMEOUT_SECONDS
    )
    findings = []
    try:
        answer = Retrying(attempts=1).call("auth.test", client.auth_test)
    except SlackRefused as refused:
        findings.append(fail(f"{SUBJECT} auth.test", str(refused)))
    except SlackUnavailable as unavailable:
        findings.append(fail(f"{SUBJECT} auth.test", f"{settings.slack_api_url}: {unavailable}"))
    else:
        findings.append(
            ok(
                f"{SUBJECT} auth.test",
                f"the bot token works: {answer.get('user')} in {answer.get('team')}",
            )
        )
        headers = {name.lower(): value for name, value in answer.headers.items()}
        date = headers.get("date")
        skew = clock_health("clock", date[0] if isinstance(date, list) else date, now())
        if skew is not None:
            findings.append(Finding.of(skew, SUBJECT))
    findings.append(_mode(settings))
    return findings


def _mode(settings: Settings) -> Finding:
    """The mode ``sopbot run`` would choose, and the secret it needs."""
    subject = f"{SUBJECT} mode"
    if settings.slack_app_token is not None:
        if not settings.slack_app_token.get_secret_value().startswith("xapp-"):
            return fail(
                subject,
                "SLACK_APP_TOKEN is not an app-level token (xapp-…): make one with the "
                "connections:write scope under Basic Information in the app's settings",
            )
        return ok(subject, "Socket Mode (SLACK_APP_TOKEN set)")
    if settings.slack_signing_secret is not None:
        return ok(subject, "HTTP mode (SLACK_SIGNING_SECRET set): Slack posts to /slack/events")
    return fail(
        subject,
        "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is set: "
        "set one of them (docs/slack.md)",
    )
