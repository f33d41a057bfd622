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


def test_the_manifest_declares_the_command_buttons_and_socket_mode() -> None:
    manifest = _manifest()
    assert [command["command"] for command in manifest["features"]["slash_commands"]] == ["/sop"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "usergroups:read", "users:read"} <= scopes


def test_a_broken_manifest_would_be_caught() -> None:
    schema = json.loads(SCHEMA.read_text())
    broken = _manifest()
    broken["settings"]["socket_mode_enabled"] = "yes"
    with pytest.raises(jsonschema.ValidationError, match="'yes' is not of type 'boolean'"):
        jsonschema.validate(broken, schema)
