"""A stateful fake of Slack's Web API, served by pytest-httpserver on an ephemeral loopback
port, so the real ``slack_sdk.WebClient`` talks to it over HTTP.

It keeps channels, messages (with ``ts``, ``thread_ts``, blocks and metadata), people, user
groups and views; records every call (method, arguments, headers); and answers in Slack's
documented shapes (``{"ok": true, …}``, ``{"ok": false, "error": …}``). Faults are injected
per method: a 429 with ``Retry-After``, an HTTP 500, a hang the client times out on,
``ok: false`` with an error such as ``ratelimited`` or ``channel_not_found``; a fault may
also let the call take effect first (Slack kept the post, the answer was lost).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

_ANY_METHOD = re.compile(r"^/api/[\w.]+$")
TEAM = "T0SOPBOT"
BOT_USER = "U0SOPBOT"
BOT_ID = "B0SOPBOT"


@dataclass(frozen=True)
class Call:
    """One request the fake received."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]


@dataclass
class Fault:
    """What a method answers instead of its usual answer, ``times`` times."""

    status: int = 200
    error: str | None = None
    retry_after: int | str | None = None
    hang: bool = False
    applied: bool = False
    """The call takes effect before the fault answers (its answer is what was lost)."""
    times: int = 1
    needed: str | None = None
    """The scope a ``missing_scope`` answer names."""


def rate_limited(retry_after: int | str, times: int = 1) -> Fault:
    return Fault(status=429, error="ratelimited", retry_after=retry_after, times=times)


def server_error(times: int = 1, *, applied: bool = False) -> Fault:
    return Fault(status=500, error="internal_error", times=times, applied=applied)


def refused(error: str, times: int = 1) -> Fault:
    return Fault(error=error, times=times)


def hang(times: int = 1, *, applied: bool = False) -> Fault:
    return Fault(hang=True, times=times, applied=applied)


@dataclass
class FakeSlack:
    """The workspace's state and the Web API methods over it."""

    server: HTTPServer
    socket_url: str = "ws://127.0.0.1:9/socket"
    calls: list[Call] = field(default_factory=list)
    channels: dict[str, str] = field(default_factory=dict)
    """Channel ID → name."""
    creators: dict[str, str] = field(default_factory=dict)
    """Channel ID → the user who created it."""
    members: dict[str, set[str]] = field(default_factory=dict)
    """Channel ID → its members (the bot is in every channel it can post in)."""
    scopes: str | None = None
    """The bot token's scopes as ``auth.test`` lists them in ``x-oauth-scopes``."""
    enterprise_id: str | None = None
    """The Enterprise Grid organisation the workspace belongs to (``auth.test`` names it)."""
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Channel ID → its messages, oldest first."""
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: list[dict[str, Any]] = field(default_factory=list)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    _faults: dict[str, list[Fault]] = field(default_factory=dict)
    _ticks: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _released: threading.Event = field(default_factory=threading.Event)
    _answered: threading.Condition = field(default_factory=threading.Condition)
    _effects: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.server.expect_request(_ANY_METHOD).respond_with_handler(self._handle)

    @property
    def url(self) -> str:
        """The ``base_url`` a WebClient takes."""
        return self.server.url_for("/api/")

    # --- seeding the workspace ---

    def add_channel(self, channel_id: str, name: str, *, creator: str = "U01MARIA") -> None:
        self.channels[channel_id] = name
        self.creators[channel_id] = creator
        self.members.setdefault(channel_id, {BOT_USER})
        self.messages.setdefault(channel_id, [])

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        display_name: str = "",
        tz: str = "Europe/Berlin",
        deleted: bool = False,
        is_bot: bool = False,
        team_id: str = TEAM,
        enterprise_id: str | None = None,
        is_stranger: bool = False,
    ) -> None:
        """A user as ``users.info`` shows them: of this workspace by default; of another
        workspace (``team_id``), or of an Enterprise Grid organisation (``enterprise_id``,
        Slack's ``enterprise_user``); ``is_stranger`` as Slack marks a person of another
        organisation met through Slack Connect."""
        grid = {
            "enterprise_user": {"id": user_id, "enterprise_id": enterprise_id, "teams": [team_id]}
        }
        self.users[user_id] = {
            **(grid if enterprise_id else {}),
            **({"is_stranger": True} if is_stranger else {}),
            "id": user_id,
            "team_id": team_id,
            "name": name,
            "deleted": deleted,
            "real_name": name.title(),
            "tz": tz,
            "tz_label": "Central European Time",
            "tz_offset": 3600,
            "is_bot": is_bot,
            "is_app_user": False,
            "profile": {"display_name": display_name, "real_name": name.title()},
        }

    def add_group(self, group_id: str, handle: str, members: list[str]) -> None:
        self.groups[group_id] = {"id": group_id, "handle": handle, "users": list(members)}

    def fail(self, method: str, fault: Fault) -> None:
        """The next ``fault.times`` calls of ``method`` answer with ``fault``."""
        with self._lock:
            self._faults.setdefault(method, []).append(fault)

    def release(self) -> None:
        """End every hang (the fixture does it at the end of a test)."""
        self._released.set()

    # --- what tests read ---

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """The calls of ``method`` once ``count`` of them have taken effect (a listener
        that calls Slack after its ack does so on Bolt's thread)."""
        with self._answered:
            arrived = self._answered.wait_for(
                lambda: self._effects.get(method, 0) >= count, timeout=timeout
            )
        assert arrived, f"{method} was called {len(self.calls_to(method))} times, not {count}"
        return self.calls_to(method)

    def posted(self, channel: str) -> list[dict[str, Any]]:
        """The messages in ``channel`` (replies included), oldest first."""
        return list(self.messages.get(channel, []))

    # --- the HTTP side ---

    def _handle(self, request: Request) -> Response:
        method = request.path.removeprefix("/api/")
        args: dict[str, Any] = dict(request.args.items())
        args.update(request.form.items())
        if request.is_json:
            args.update(request.get_json())
        with self._lock:
            self.calls.append(Call(method, args, dict(request.headers.items())))
            fault = self._take_fault(method)
        if fault is not None and not fault.applied:
            return self._fault(fault)
        handler = self._methods().get(method)
        if handler is None:
            return _json({"ok": False, "error": "unknown_method"})
        with self._lock:
            answer = handler(args)
        headers: dict[str, str] = {}
        if method == "auth.test" and self.scopes is not None:
            headers["x-oauth-scopes"] = self.scopes
        with self._answered:
            self._effects[method] = self._effects.get(method, 0) + 1
            self._answered.notify_all()
        if fault is not None:
            return self._fault(fault)
        return _json(answer, headers=headers)

    def _take_fault(self, method: str) -> Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault

    def _fault(self, fault: Fault) -> Response:
        if fault.hang:
            self._released.wait(timeout=30)
            return _json({"ok": False, "error": "request_timeout"})
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        body: dict[str, Any] = {"ok": False, "error": fault.error}
        if fault.needed is not None:
            body["needed"] = fault.needed
        return _json(body, status=fault.status, headers=headers)

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        return {
            "auth.test": self._auth_test,
            "apps.connections.open": lambda _args: {"ok": True, "url": self.socket_url},
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
            "conversations.open": self._open,
            "conversations.list": self._conversations_list,
            "conversations.create": self._create,
            "conversations.info": self._info,
            "conversations.invite": self._invite,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "usergroups.list": self._usergroups_list,
            "usergroups.users.list": self._usergroup_users,
            "views.open": self._view,
            "views.update": self._view,
            "views.publish": self._view,
        }

    def _auth_test(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://sopbot-test.slack.com/",
            "team": "sopbot test",
            "user": "sopbot",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
            **({"enterprise_id": self.enterprise_id} if self.enterprise_id else {}),
        }

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel", "")
        if channel not in self.messages:
            return {"ok": False, "error": "channel_not_found"}
        if BOT_USER not in self.members.get(channel, {BOT_USER}):
            return {"ok": False, "error": "not_in_channel"}
        thread_ts = args.get("thread_ts")
        if thread_ts and not any(m["ts"] == thread_ts for m in self.messages[channel]):
            return {"ok": False, "error": "thread_not_found"}
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "app_id": "A0SOPBOT",
            "team": TEAM,
            "text": args.get("text", ""),
            "ts": f"{1700000000 + next(self._ticks)}.000100",
        }
        if args.get("blocks"):
            blocks = args["blocks"]
            message["blocks"] = json.loads(blocks) if isinstance(blocks, str) else blocks
        if thread_ts:
            message["thread_ts"] = thread_ts
        if args.get("metadata"):
            metadata = args["metadata"]
            message["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
        self.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = args.get("channel", ""), args.get("ts")
        if channel not in self.messages:
            return {"ok": False, "error": "channel_not_found"}
        found = next((m for m in self.messages[channel] if m["ts"] == ts), None)
        if found is None:
            return {"ok": False, "error": "message_not_found"}
        found["text"] = args.get("text", found["text"])
        if "blocks" in args:
            found["blocks"] = args["blocks"]
        found["edited"] = {"user": BOT_USER, "ts": f"{1700000000 + next(self._ticks)}.000200"}
        return {"ok": True, "channel": channel, "ts": ts, "text": found["text"], "message": found}

    def _post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel") not in self.messages:
            return {"ok": False, "error": "channel_not_found"}
        self.ephemeral.append(args)
        return {"ok": True, "message_ts": f"{1700000000 + next(self._ticks)}.000300"}

    def _history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel", "")
        if channel not in self.messages:
            return {"ok": False, "error": "channel_not_found"}
        top = [m for m in self.messages[channel] if m.get("thread_ts", m["ts"]) == m["ts"]]
        newest_first = list(reversed(top))[: int(args.get("limit", 100))]
        return {
            "ok": True,
            "messages": [_shown(m, args) for m in newest_first],
            "has_more": len(top) > len(newest_first),
            "pin_count": 0,
            "response_metadata": {"next_cursor": ""},
        }

    def _replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = args.get("channel", ""), args.get("ts")
        if channel not in self.messages:
            return {"ok": False, "error": "channel_not_found"}
        thread = [m for m in self.messages[channel] if ts in (m["ts"], m.get("thread_ts"))]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit", 1000))
        page = thread[start : start + limit]
        more = start + limit < len(thread)
        return {
            "ok": True,
            "messages": [_shown(m, args) for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _open(self, args: dict[str, Any]) -> dict[str, Any]:
        user = str(args.get("users", ""))
        if user not in self.users:
            return {"ok": False, "error": "user_not_found"}
        dm = "D" + user[1:]
        self.messages.setdefault(dm, [])
        return {"ok": True, "channel": {"id": dm}}

    def _conversations_list(self, _args: dict[str, Any]) -> dict[str, Any]:
        channels = [
            {"id": cid, "name": name, "is_channel": True, "is_archived": False}
            for cid, name in self.channels.items()
        ]
        return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}

    def _channel(self, channel_id: str) -> dict[str, Any]:
        return {
            "id": channel_id,
            "name": self.channels[channel_id],
            "is_channel": True,
            "creator": self.creators.get(channel_id, ""),
        }

    def _create(self, args: dict[str, Any]) -> dict[str, Any]:
        name = str(args.get("name", ""))
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}", name):
            return {"ok": False, "error": "invalid_name_specials"}
        if name in self.channels.values():
            return {"ok": False, "error": "name_taken"}
        channel_id = f"C{next(self._ticks):04d}NEW"
        self.add_channel(channel_id, name, creator=BOT_USER)
        return {"ok": True, "channel": self._channel(channel_id)}

    def _info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = str(args.get("channel", ""))
        if channel_id not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": self._channel(channel_id)}

    def _invite(self, args: dict[str, Any]) -> dict[str, Any]:
        channel_id = str(args.get("channel", ""))
        if channel_id not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        if BOT_USER not in self.members[channel_id]:
            return {"ok": False, "error": "not_in_channel"}
        users = [user for user in str(args.get("users", "")).split(",") if user]
        if any(user not in self.users for user in users):
            return {"ok": False, "error": "user_not_found"}
        fresh = set(users) - self.members[channel_id]
        if not fresh:
            return {"ok": False, "error": "already_in_channel"}
        self.members[channel_id] |= fresh
        return {"ok": True, "channel": self._channel(channel_id)}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user", "")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def _users_list(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "members": list(self.users.values()),
            "response_metadata": {"next_cursor": ""},
        }

    def _usergroups_list(self, _args: dict[str, Any]) -> dict[str, Any]:
        groups = [
            {"id": g["id"], "team_id": TEAM, "handle": g["handle"], "name": g["handle"].title()}
            for g in self.groups.values()
        ]
        return {"ok": True, "usergroups": groups}

    def _usergroup_users(self, args: dict[str, Any]) -> dict[str, Any]:
        group = self.groups.get(str(args.get("usergroup", "")))
        if group is None:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(group["users"])}

    def _view(self, args: dict[str, Any]) -> dict[str, Any]:
        if "trigger_id" in args and not args["trigger_id"]:
            return {"ok": False, "error": "invalid_trigger_id"}
        view = args.get("view")
        view = json.loads(view) if isinstance(view, str) else dict(view or {})
        shown = {
            "id": f"V{next(self._ticks):08d}",
            "team_id": TEAM,
            "state": {"values": {}},
            "hash": "1700000000.abcdef",
            "root_view_id": None,
            "app_id": "A0SOPBOT",
            "bot_id": BOT_ID,
            **view,
        }
        self.views.append({"args": args, "view": shown})
        return {"ok": True, "view": shown}


def _shown(message: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """A stored message as the history methods show it: metadata only when asked for."""
    wanted = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
    return {k: v for k, v in message.items() if k != "metadata" or wanted}


def _json(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body), status=status, headers=headers or {}, content_type="application/json"
    )
