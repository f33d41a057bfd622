"""The sandbox's people, user groups and channels, and the directory that reads them.

Slack, Jira, the CRM and HR all refer to people by Slack user ID, so one set of people
serves every sandbox tool.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from bot.connectors.sandbox.store import Document, Kind, Store
from storage.database import Database

USERS = Kind("directory.users", "user", "directory")
GROUPS = Kind("directory.groups", "user group", "directory")
CHANNELS = Kind("slack.channels", "channel", "Slack")
_SHOWN_AS = ((USERS, "name"), (GROUPS, "handle"), (CHANNELS, "name"))
PEOPLE_TTL_SECONDS = 30.0
"""How long the list of people is kept: every start asks whether its starter is a person,
and the sandbox's people change only when it is seeded or reset."""


def require_user(store: Store, user_id: str) -> Document:
    """A person the tools know, or the refusal a tool gives for a stranger."""
    return store.require(USERS, user_id)


def find_channel(store: Store, name_or_id: str) -> Document | None:
    """A channel by ID (``C01OPS``) or by name with or without ``#``."""
    by_id = store.find(CHANNELS, name_or_id)
    if by_id is not None:
        return by_id
    name = name_or_id.removeprefix("#").lower()
    return next((channel for channel in store.all(CHANNELS) if channel["name"] == name), None)


def find_user(store: Store, handle: str) -> Document | None:
    """A person by ID or console handle (``@maria``, ``maria``), any letter case."""
    wanted = handle.strip().removeprefix("@").lower()
    return next(
        (user for user in store.all(USERS) if wanted in (user["id"].lower(), user["handle"])),
        None,
    )


class SandboxDirectory:
    """The ``Directory`` over the seeded people (and any channel created since)."""

    def __init__(
        self,
        database: Database,
        *,
        ttl: float = PEOPLE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._ttl = ttl
        self._clock = clock
        self._people: tuple[float, frozenset[str]] | None = None
        """When the people were read (by ``clock``), and their user IDs."""
        self._people_lock = threading.Lock()

    def display_name(self, slack_id: str) -> str:
        with self._database.session(read_only=True) as session:
            store = Store(session)
            for kind, field in _SHOWN_AS:
                found = store.find(kind, slack_id)
                if found is not None:
                    return str(found[field])
        return slack_id

    def find_user(self, handle: str) -> str | None:
        with self._database.session(read_only=True) as session:
            user = find_user(Store(session), handle)
        return None if user is None else str(user["id"])

    def is_person(self, user_id: str) -> bool:
        return user_id in self._people_now()

    def members(self, group_id: str) -> frozenset[str]:
        with self._database.session(read_only=True) as session:
            group = Store(session).find(GROUPS, group_id)
        return frozenset() if group is None else frozenset(group["members"])

    def channel_id(self, name_or_id: str) -> str | None:
        with self._database.session(read_only=True) as session:
            channel = find_channel(Store(session), name_or_id)
        return None if channel is None else str(channel["id"])

    def _people_now(self) -> frozenset[str]:
        """Every person's user ID, read at most once per ``ttl`` (one read answers them all)."""
        now = self._clock()
        with self._people_lock:
            kept = self._people
        if kept is not None and now - kept[0] < self._ttl:
            return kept[1]
        with self._database.session(read_only=True) as session:
            people = frozenset(str(user["id"]) for user in Store(session).all(USERS))
        with self._people_lock:
            self._people = (now, people)
        return people
