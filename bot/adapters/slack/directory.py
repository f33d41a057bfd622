"""``SlackDirectory``: the people directory answered by Slack (``users.info``,
``usergroups.users.list``, ``usergroups.list``, ``conversations.list``), each answer kept for
a while (``TtlCache``).

Only a user ID of a real person of this workspace is a person: a user group or channel ID
never is, and neither are deleted users, bots and apps, so none of them can decide an
approval. Neither is a person of another organisation: in a Slack Connect channel they post,
mention sopbot and click its buttons, and ``users.info`` answers about them (``is_stranger``,
or a ``team_id`` other than this workspace's from ``auth.test``). On Enterprise Grid one
organisation spans several workspaces, so a person whose ``enterprise_user`` is of this
workspace's organisation is one of ours, whichever of its workspaces they are on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_sdk import WebClient

from bot.adapters.slack.cache import TtlCache
from bot.adapters.slack.calls import Retrying, SlackRefused
from bot.identity import channel_in, is_channel_id, is_group_id, is_user_id, user_id_in

TTL_SECONDS = 300.0
"""How long an answer is kept: a new group member can decide within five minutes."""
PAGE = 200


@dataclass(frozen=True)
class Person:
    """A Slack user as sopbot needs them."""

    id: str
    name: str
    handle: str
    time_zone: str | None
    active_human: bool
    """Neither deleted, nor a bot or an app."""
    ours: bool
    """Of this workspace (or its Enterprise Grid organisation), not a guest from another
    organisation in a shared channel."""


@dataclass(frozen=True)
class Home:
    """Whose workspace this is: its team and, on Enterprise Grid, its organisation."""

    team_id: str
    enterprise_id: str | None

    def has(self, user: dict[str, Any]) -> bool:
        """``user`` (a ``users.info`` user) belongs here, not to another organisation."""
        if user.get("is_stranger"):
            return False
        grid = (user.get("enterprise_user") or {}).get("enterprise_id")
        if self.enterprise_id is not None and grid == self.enterprise_id:
            return True
        return bool(self.team_id) and user.get("team_id") == self.team_id


class SlackDirectory:
    """The ``bot.directory.Directory`` of a Slack workspace."""

    def __init__(
        self,
        client: WebClient,
        *,
        retrying: Retrying | None = None,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._retrying = retrying or Retrying()
        self._people: TtlCache[str, Person | None] = TtlCache(ttl, clock)
        self._members: TtlCache[str, frozenset[str]] = TtlCache(ttl, clock)
        self._lists: TtlCache[str, dict[str, str]] = TtlCache(ttl, clock)
        self._home: Home | None = None

    def person(self, user_id: str) -> Person | None:
        """The user behind ``user_id`` (name, handle, time zone); None for nobody."""
        if not is_user_id(user_id):
            return None
        return self._people.get(user_id, lambda: self._user(user_id))

    def display_name(self, slack_id: str) -> str:
        if is_user_id(slack_id):
            found = self.person(slack_id)
            return found.name if found else slack_id
        if is_group_id(slack_id):
            return self._groups().get(slack_id, slack_id)
        if is_channel_id(slack_id):
            return self._channels().get(slack_id, slack_id)
        return slack_id

    def find_user(self, handle: str) -> str | None:
        user_id = user_id_in(handle)
        if user_id is not None:
            return user_id if self.person(user_id) is not None else None
        wanted = handle.removeprefix("@").casefold()
        for found_id, name in self._handles().items():
            if name.casefold() == wanted:
                return found_id
        return None

    def is_person(self, user_id: str) -> bool:
        found = self.person(user_id)
        return found is not None and found.active_human and found.ours

    def members(self, group_id: str) -> frozenset[str]:
        if not is_group_id(group_id):
            return frozenset()
        return self._members.get(group_id, lambda: self._group_members(group_id))

    def channel_id(self, name_or_id: str) -> str | None:
        named = channel_in(name_or_id) or channel_in("#" + name_or_id)
        if named is None:
            return None
        if is_channel_id(named):
            return named
        wanted = named.removeprefix("#")
        return next((cid for cid, name in self._channels().items() if name == wanted), None)

    def forget_channels(self) -> None:
        """Read the channel list afresh next time: sopbot created a channel, or a name is
        taken by one the kept list does not show yet."""
        self._lists.forget("channels")

    def _user(self, user_id: str) -> Person | None:
        try:
            user = self._retrying.call("users.info", lambda: self._client.users_info(user=user_id))[
                "user"
            ]
        except SlackRefused as refused:
            if refused.error == "user_not_found":
                return None
            raise
        profile = user.get("profile") or {}
        return Person(
            id=user["id"],
            name=profile.get("display_name") or profile.get("real_name") or user["name"],
            handle=user["name"],
            time_zone=user.get("tz"),
            active_human=not (user.get("deleted") or user.get("is_bot") or user.get("is_app_user")),
            ours=self._here().has(user),
        )

    def _here(self) -> Home:
        """This workspace, as ``auth.test`` names it for the bot token; asked once, as a
        token's workspace never changes."""
        if self._home is None:
            answer = self._retrying.call("auth.test", self._client.auth_test)
            enterprise = answer.get("enterprise_id")
            self._home = Home(
                str(answer.get("team_id") or ""), str(enterprise) if enterprise else None
            )
        return self._home

    def _group_members(self, group_id: str) -> frozenset[str]:
        try:
            users = self._retrying.call(
                "usergroups.users.list",
                lambda: self._client.usergroups_users_list(usergroup=group_id),
            )["users"]
        except SlackRefused as refused:
            if refused.error == "no_such_subteam":
                return frozenset()
            raise
        return frozenset(users)

    def _groups(self) -> dict[str, str]:
        """Group ID → handle."""

        def load() -> dict[str, str]:
            groups = self._retrying.call("usergroups.list", lambda: self._client.usergroups_list())[
                "usergroups"
            ]
            return {group["id"]: group["handle"] for group in groups}

        return self._lists.get("groups", load)

    def _channels(self) -> dict[str, str]:
        """Channel ID → name, for the channels sopbot can see."""
        return self._lists.get(
            "channels",
            lambda: {
                channel["id"]: channel["name"]
                for channel in self._pages(
                    "conversations.list",
                    "channels",
                    types="public_channel,private_channel",
                    exclude_archived=True,
                )
            },
        )

    def _handles(self) -> dict[str, str]:
        """User ID → handle, for the workspace's active people."""
        return self._lists.get(
            "handles",
            lambda: {
                user["id"]: user["name"]
                for user in self._pages("users.list", "members")
                if not (user.get("deleted") or user.get("is_bot"))
            },
        )

    def _pages(self, method: str, key: str, **arguments: Any) -> Iterator[dict[str, Any]]:
        """Every item of a cursor-paginated list method."""
        cursor: str | None = None
        while True:
            page = self._retrying.call(
                method,
                partial(
                    self._client.api_call,
                    method,
                    http_verb="GET",
                    params={**arguments, "limit": PAGE, "cursor": cursor},
                ),
            )
            yield from page[key]
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return
