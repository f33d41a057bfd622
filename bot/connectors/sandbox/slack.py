"""The sandbox Slack: messages kept per channel, direct messages, channels and invitations.

Channels are found by ID or ``#name`` as Slack does; an unknown channel or person is
refused, so a typo in a procedure shows up in the console instead of in production.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.catalogue.builtin.slack import (
    Channel,
    CreateChannelArgs,
    DirectMessageArgs,
    InviteArgs,
    PostArgs,
    Posted,
)
from bot.connectors.base import ToolError
from bot.connectors.sandbox.people import CHANNELS, find_channel, require_user
from bot.connectors.sandbox.store import Document, Handler, Kind, Store, iso

MESSAGES = Kind("slack.messages", "message", "Slack")


def _require_channel(store: Store, name_or_id: str) -> Document:
    channel = find_channel(store, name_or_id)
    if channel is None:
        raise CHANNELS.missing(name_or_id)
    return channel


def _deliver(
    store: Store, channel: str, text: str, thread_ts: str | None, now: dt.datetime
) -> Posted:
    """Keep a message; ``ts`` is unique and sorts by time like Slack's."""
    ts = f"{int(now.timestamp())}.{store.next_number('slack.message', now):06d}"
    message = {"channel": channel, "ts": ts, "text": text, "thread_ts": thread_ts, "at": iso(now)}
    store.save(MESSAGES, ts, message, now)
    return Posted(channel=channel, ts=ts)


def post(store: Store, args: PostArgs, now: dt.datetime) -> Posted:
    channel = _require_channel(store, args.channel)
    if args.thread_ts is not None:
        parent = store.find(MESSAGES, args.thread_ts)
        if parent is None or parent["channel"] != channel["id"]:
            raise ToolError(f"no message {args.thread_ts} in #{channel['name']} to reply to")
    return _deliver(store, channel["id"], args.text, args.thread_ts, now)


def dm(store: Store, args: DirectMessageArgs, now: dt.datetime) -> Posted:
    user = require_user(store, args.user)
    return _deliver(store, "D" + user["id"][1:], args.text, None, now)


def create_channel(store: Store, args: CreateChannelArgs, now: dt.datetime) -> Channel:
    existing = find_channel(store, args.name)
    if existing is not None:
        return Channel(channel=existing["id"], name=existing["name"])
    channel_id = f"C{1000 + store.next_number('slack.channel', now)}"
    channel = {
        "id": channel_id,
        "name": args.name,
        "private": args.private,
        "members": [],
        "created_at": iso(now),
    }
    store.save(CHANNELS, channel_id, channel, now)
    return Channel(channel=channel_id, name=args.name)


def invite(store: Store, args: InviteArgs, now: dt.datetime) -> Channel:
    channel = _require_channel(store, args.channel)
    newcomers = [require_user(store, user)["id"] for user in args.users]
    channel["members"] = sorted({*channel["members"], *newcomers})
    store.save(CHANNELS, channel["id"], channel, now)
    return Channel(channel=channel["id"], name=channel["name"])


HANDLERS: Mapping[str, Handler] = {
    "slack.post": post,
    "slack.dm": dm,
    "slack.create_channel": create_channel,
    "slack.invite": invite,
}
