"""The Slack app manifest is a valid manifest and declares what sopbot needs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT.parent / "shared" / "reference" / "slack-app-manifest.schema.json"


def _manifest() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_the_manifest_validates_against_slacks_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(_manifest(), schema)


def test_the_manifest_declares_the_command_buttons_home_tab_and_socket_mode() -> None:
    manifest = _manifest()
    assert [command["command"] for command in manifest["features"]["slash_commands"]] == ["/sop"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "app_mention",  # @sopbot in a channel: routed like /sop free text
        "message.im",  # the same words in a direct message to the bot
    ]
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False


def test_http_mode_needs_only_socket_mode_off_and_the_host_changed() -> None:
    """Every request URL is sopbot serve's one route, on one placeholder host."""
    manifest = _manifest()
    settings = manifest["settings"]
    urls = {
        manifest["features"]["slash_commands"][0]["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert urls == {"https://sopbot.example.com/slack/events"}


def test_the_bot_asks_for_the_fewest_scopes_that_work() -> None:
    """Each scope is for a call sopbot makes; nothing more (no chat:write.public, no email,
    no reading channel messages that do not mention it)."""
    scopes = _manifest()["oauth_config"]["scopes"]["bot"]
    assert sorted(scopes) == sorted(
        [
            "commands",  # /sop
            "chat:write",  # cards, replies, chat.update, chat.postEphemeral
            "im:write",  # conversations.open for direct messages
            "channels:manage",  # slack.create_channel, slack.invite (public channels)
            "groups:write",  # the same for private channels
            "users:read",  # users.info, users.list: who someone is, their time zone
            "usergroups:read",  # usergroups.list, usergroups.users.list: who may decide
            "channels:read",  # conversations.list: #channel names in SOPs
            "groups:read",  # the same for private channels sopbot is in
            "channels:history",  # conversations.history/replies: a post already made
            "groups:history",
            "im:history",  # and the direct messages people send it
            "app_mentions:read",  # @sopbot in a channel
        ]
    )


def test_a_broken_manifest_would_be_caught() -> None:
    schema = json.loads(SCHEMA.read_text())
    broken = _manifest()
    broken["settings"]["socket_mode_enabled"] = "yes"
    with pytest.raises(jsonschema.ValidationError, match="'yes' is not of type 'boolean'"):
        jsonschema.validate(broken, schema)
