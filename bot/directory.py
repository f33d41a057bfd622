"""The people directory: how the engine turns targets into people, groups and channels.

Procedures name Slack IDs (``U01MARIA``, ``S01FINANCE``, ``C02SUPPORT``) or ``#channel``
names, never display names; the console lets a person type ``@maria``. The sandbox answers
from its seeded people; Slack's implementation answers through the Web API.
"""

from __future__ import annotations

from typing import Protocol


class Directory(Protocol):
    """Look-ups the engine and the chat adapters need, all read-only."""

    def display_name(self, slack_id: str) -> str:
        """The name to show for a user (``Maria``), user group (``finance``, its handle) or
        channel (``ops``, without ``#``) ID; the ID itself when nothing has it."""
        ...

    def find_user(self, handle: str) -> str | None:
        """The user ID for ``@maria``, ``maria`` or ``U01MARIA``; None when nobody matches."""
        ...

    def is_person(self, user_id: str) -> bool:
        """True only for a person's user ID: a user group, a channel or an ID nobody has is
        not a person, so it can never approve, reject or complete anything."""
        ...

    def members(self, group_id: str) -> frozenset[str]:
        """The user IDs in a user group; empty for an unknown group."""
        ...

    def channel_id(self, name_or_id: str) -> str | None:
        """The channel ID for ``#ops``, ``ops`` or ``C01OPS``; None when there is no such channel."""
        ...
