"""What the Slack connector needs from Slack, in Slack's own terms: the port the Slack
adapter implements (``bot.adapters.slack.workspace``) on the surface's Web API client, so
the connector itself knows no SDK."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class SlackFault(Exception):
    """Slack refused or failed ``method``: ``code`` is Slack's error (``not_in_channel``,
    ``ratelimited``, ``unavailable`` when it did not answer), ``needed`` the scope a
    ``missing_scope`` names, ``retry_after`` the seconds Slack asked to wait."""

    def __init__(
        self,
        method: str,
        code: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        needed: str | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(f"{method}: {code}")
        self.method = method
        self.code = code
        self.retryable = retryable
        self.retry_after = retry_after
        self.needed = needed
        self.detail = detail


@dataclass(frozen=True)
class Identity:
    """Who the bot token is (``auth.test``) and the scopes Slack reports it has (None when
    Slack's answer did not say)."""

    user: str
    user_id: str
    team: str
    scopes: frozenset[str] | None


@dataclass(frozen=True)
class Conversation:
    """A channel: its ID, its name, and the user who created it (empty when unknown)."""

    id: str
    name: str
    creator: str = ""


class Workspace(Protocol):
    """Slack's Web API as the ``slack.*`` operations use it. Every method raises
    ``SlackFault`` when Slack refuses or fails."""

    def post(self, to: str, text: str, *, key: str, thread_ts: str | None) -> tuple[str, str]:
        """Post ``text`` to ``to`` (a channel ID, ``#name`` or a user ID for their DM)
        once per ``key``: a key Slack already has a post for is answered with that post.
        Returns the conversation's ID and the message's ``ts``."""
        ...

    def create_channel(self, name: str, *, private: bool) -> Conversation:
        """``conversations.create``; ``name_taken`` raises."""
        ...

    def find_channel(self, name: str) -> Conversation | None:
        """The channel called ``name`` that sopbot can see, asked afresh."""
        ...

    def invite(self, channel: str, users: list[str]) -> Conversation:
        """Add ``users`` to ``channel`` (an ID or ``#name``); people already in it are no
        error."""
        ...

    def identity(self) -> Identity:
        """``auth.test``: changes nothing."""
        ...


@runtime_checkable
class OffersWorkspace(Protocol):
    """A chat port on Slack that lends its client to the ``slack.*`` operations."""

    def slack_workspace(self) -> Workspace:
        """The workspace on the same client, directory and pacing as the chat."""
        ...
