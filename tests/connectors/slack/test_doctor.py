"""``sopbot doctor``'s look at the Slack actions: the token works and carries the scopes
the ``slack.*`` operations need, read from what Slack says about the token."""

from __future__ import annotations

from bot.catalogue.operation import SelfChecking
from bot.connectors.slack import SlackConnector
from tests.slack.conftest import MakeChat
from tests.slack.fake_web_api import FakeSlack, refused

ALL = (
    "commands,chat:write,im:write,users:read,usergroups:read,channels:read,groups:read,"
    "channels:history,groups:history,im:history,channels:manage,groups:write"
)


def _check(make_chat: MakeChat) -> list[tuple[str, bool, str]]:
    connector = SlackConnector(make_chat().slack_workspace())
    assert isinstance(connector, SelfChecking)
    return [(found.subject, found.ok, found.detail) for found in connector.check()]


def test_a_token_with_the_manifests_scopes_passes(slack: FakeSlack, make_chat: MakeChat) -> None:
    slack.scopes = ALL

    (token, scopes) = _check(make_chat)

    assert token == ("Slack actions", True, "the bot token works: sopbot in sopbot test")
    assert scopes[1] is True


def test_a_token_without_channels_manage_names_it_and_what_needs_it(
    slack: FakeSlack, make_chat: MakeChat
) -> None:
    slack.scopes = ALL.replace(",channels:manage", "")

    (_token, (subject, ok, detail)) = _check(make_chat)

    assert (subject, ok) == ("Slack actions scopes", False)
    assert detail.startswith(
        "the bot token lacks channels:manage (slack.create_channel and slack.invite (public "
        "channels)): add them to manifest.yml"
    )


def test_a_refused_token_names_the_variable(slack: FakeSlack, make_chat: MakeChat) -> None:
    slack.fail("auth.test", refused("invalid_auth"))

    ((subject, ok, detail),) = _check(make_chat)

    assert (subject, ok) == ("Slack actions", False)
    assert detail == "Slack refused the bot token: check SLACK_BOT_TOKEN"
