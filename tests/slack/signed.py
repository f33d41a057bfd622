"""Requests as Slack sends them to an app: form-encoded, signed with the app's signing
secret (``X-Slack-Signature: v0=HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)``),
over real HTTP. Payload shapes follow Slack's documentation of slash commands,
``block_actions`` and ``view_submission``."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from tests.slack.fake_web_api import TEAM

APP_ID = "A0SOPBOT"


@dataclass(frozen=True)
class Answer:
    """Slack's view of the app's HTTP answer."""

    status: int
    body: str

    def json(self) -> dict[str, Any]:
        return dict(json.loads(self.body)) if self.body else {}

    @property
    def text(self) -> str:
        return str(self.json().get("text", ""))


@dataclass
class SignedSlack:
    """Slack's side of the conversation with the app at ``url``."""

    url: str
    secret: str
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def send(
        self, form: dict[str, str], *, timestamp: int | None = None, secret: str | None = None
    ) -> Answer:
        """POST ``form`` signed with ``secret`` (default the app's) at ``timestamp`` (now)."""
        return self.post(urllib.parse.urlencode(form), timestamp=timestamp, secret=secret)

    def event(self, event: dict[str, Any], *, event_id: str) -> Answer:
        """An Events API delivery of ``event`` (JSON, as Slack posts events)."""
        envelope = {
            "token": "verification-token",
            "team_id": TEAM,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
        }
        return self.post(json.dumps(envelope), content_type="application/json")

    def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> Answer:
        """POST ``body`` as Slack signs it."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        base = f"v0:{stamp}:{body}".encode()
        digest = hmac.new((secret or self.secret).encode(), base, hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": f"v0={digest}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return Answer(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode())

    def trigger(self) -> str:
        return f"{next(self._ids)}.1700000000.trigger{next(self._ids):04d}"

    def command_form(
        self, text: str, *, user: str, channel: str = "C02SUPPORT", trigger_id: str | None = None
    ) -> dict[str, str]:
        return {
            "token": "verification-token",
            "team_id": TEAM,
            "team_domain": "sopbot-test",
            "channel_id": channel,
            "channel_name": "support",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/sop",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": f"https://hooks.slack.com/commands/{TEAM}/1/x",
            "trigger_id": trigger_id or self.trigger(),
        }

    def command(self, text: str, *, user: str, channel: str = "C02SUPPORT") -> Answer:
        """``/sop text`` typed by ``user`` in ``channel``."""
        return self.send(self.command_form(text, user=user, channel=channel))

    def click_form(
        self,
        message: dict[str, Any],
        action_id: str,
        *,
        user: str,
        channel: str,
        action_ts: str | None = None,
    ) -> dict[str, str]:
        """``user`` pressing the button ``action_id`` on ``message`` (as Slack stored it)."""
        block, button = _button(message, action_id)
        payload = {
            "type": "block_actions",
            "user": _user(user),
            "api_app_id": APP_ID,
            "token": "verification-token",
            "container": {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "trigger_id": self.trigger(),
            "team": {"id": TEAM, "domain": "sopbot-test"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel, "name": "support"},
            "message": message,
            "state": {"values": {}},
            "response_url": f"https://hooks.slack.com/actions/{TEAM}/1/x",
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block,
                    "text": button["text"],
                    "value": button["value"],
                    "type": "button",
                    "action_ts": action_ts or f"{time.time():.6f}",
                }
            ],
        }
        return {"payload": json.dumps(payload)}

    def click(self, message: dict[str, Any], action_id: str, *, user: str, channel: str) -> Answer:
        return self.send(self.click_form(message, action_id, user=user, channel=channel))

    def submit(self, view: dict[str, Any], values: dict[str, Any], *, user: str) -> Answer:
        """``user`` sending the form ``view`` (as ``views.open`` returned it) with ``values``:
        block id → the input's state, e.g. ``{"type": "plain_text_input", "value": "…"}``."""
        sent = {
            **view,
            "state": {"values": {block: {block: state} for block, state in values.items()}},
        }
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "sopbot-test"},
            "user": _user(user),
            "api_app_id": APP_ID,
            "token": "verification-token",
            "trigger_id": self.trigger(),
            "view": sent,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self.send({"payload": json.dumps(payload)})


def text_input(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def _user(user: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM}


def _button(message: dict[str, Any], action_id: str) -> tuple[str, dict[str, Any]]:
    for block in message.get("blocks", []):
        for element in block.get("elements", []) if block["type"] == "actions" else []:
            if element.get("action_id") == action_id:
                return str(block.get("block_id", "")), element
    raise AssertionError(f"no {action_id} button on {message.get('text')!r}")
