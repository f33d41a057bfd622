"""Performs the catalogue's ``slack.*`` operations in the Slack workspace sopbot is
connected to, through the surface's own client (``Workspace``), instead of the sandbox.

Posts carry the engine's idempotency key in their metadata, so a step retried after a
crash finds its earlier post instead of posting twice. Nothing here retries: a refusal is
one ``ToolError`` line, a rate limit or outage a retryable one, and the SOP's retry rule
decides.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from bot.catalogue.builtin.slack import (
    Channel,
    CreateChannelArgs,
    DirectMessageArgs,
    InviteArgs,
    PostArgs,
    Posted,
)
from bot.catalogue.operation import Health, Operation
from bot.connectors.base import ToolError
from bot.connectors.slack.faults import MANIFEST, TOKEN_VARIABLE, tool_error
from bot.connectors.slack.workspace import Conversation, SlackFault, Workspace
from bot.identity import is_user_id
from storage.redaction import redact

SUBJECT = "Slack actions"
SCOPES = {
    "chat:write": "slack.post and slack.dm",
    "im:write": "slack.dm",
    "channels:read": "#names in slack.post and slack.invite",
    "channels:history": "finding an earlier post after a crash",
    "channels:manage": "slack.create_channel and slack.invite (public channels)",
    "groups:write": "slack.create_channel and slack.invite (private channels)",
}
"""The bot scopes the operations need, and what each is for (``sopbot doctor`` names a
missing one)."""


class SlackConnector:
    """The ``Connector`` (and ``SelfChecking``) for the ``slack`` namespace."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._operations: dict[str, Callable[[Any, str], BaseModel]] = {
            "slack.post": self._post,
            "slack.dm": self._dm,
            "slack.create_channel": self._create_channel,
            "slack.invite": self._invite,
        }

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Perform one call; the result as the catalogue declares it. A call without a key
        gets one of its own, so it posts once."""
        perform = self._operations.get(operation.name)
        if perform is None:
            raise ToolError(f"the Slack connector does not perform {operation.name}")
        args = operation.args.model_validate(arguments)
        key = _shown_key(idempotency_key or f"call-{uuid.uuid4().hex}")
        result: dict[str, Any] = perform(args, key).model_dump(mode="json")
        return result

    def check(self) -> list[Health]:
        """``sopbot doctor``: the token works and has the scopes the operations need."""
        try:
            me = self._workspace.identity()
        except SlackFault as fault:
            return [Health(SUBJECT, False, str(tool_error(fault, "auth.test")))]
        found = [Health(SUBJECT, True, f"the bot token works: {me.user} in {me.team}")]
        if me.scopes is None:
            found.append(
                Health(
                    f"{SUBJECT} scopes",
                    True,
                    "Slack did not list the token's scopes; compare the app with " + MANIFEST,
                    warning=True,
                )
            )
            return found
        missing = [scope for scope in SCOPES if scope not in me.scopes]
        if missing:
            uses = "; ".join(f"{scope} ({SCOPES[scope]})" for scope in missing)
            found.append(
                Health(
                    f"{SUBJECT} scopes",
                    False,
                    f"the bot token lacks {uses}: add them to {MANIFEST} and reinstall the "
                    f"app, then update {TOKEN_VARIABLE}",
                )
            )
        else:
            found.append(Health(f"{SUBJECT} scopes", True, ", ".join(SCOPES)))
        return found

    def _post(self, args: PostArgs, key: str) -> Posted:
        return self._send(args.channel, args.text, key, args.thread_ts)

    def _dm(self, args: DirectMessageArgs, key: str) -> Posted:
        if not is_user_id(args.user):
            raise ToolError(f"slack.dm needs a Slack user ID (U… or W…), not {args.user!r}")
        return self._send(args.user, args.text, key, None)

    def _send(self, to: str, text: str, key: str, thread_ts: str | None) -> Posted:
        """Post the text, secrets masked as in all chat text."""
        try:
            channel, ts = self._workspace.post(to, redact(text), key=key, thread_ts=thread_ts)
        except SlackFault as fault:
            raise tool_error(fault, to) from None
        return Posted(channel=channel, ts=ts)

    def _create_channel(self, args: CreateChannelArgs, _key: str) -> Channel:
        """Create the channel; a name taken by a channel sopbot made itself (this step's
        earlier try, whose answer was lost) is that channel, anyone else's is an error."""
        target = f"#{args.name}"
        try:
            try:
                made = self._workspace.create_channel(args.name, private=args.private)
            except SlackFault as fault:
                if fault.code != "name_taken":
                    raise
                made = self._taken(args.name)
        except SlackFault as fault:
            raise tool_error(fault, target) from None
        return Channel(channel=made.id, name=made.name)

    def _taken(self, name: str) -> Conversation:
        found = self._workspace.find_channel(name)
        if found is None:
            raise ToolError(
                f"the channel name #{name} is taken by a channel sopbot cannot see (private, "
                "or archived): choose another name, or invite the sopbot app to it"
            )
        if found.creator != self._workspace.identity().user_id:
            raise ToolError(
                f"#{name} exists already and was not made by sopbot: choose another name, or "
                "use slack.invite on the existing channel"
            )
        return found

    def _invite(self, args: InviteArgs, _key: str) -> Channel:
        try:
            channel = self._workspace.invite(args.channel, args.users)
        except SlackFault as fault:
            people = fault.code in {"user_not_found", "users_not_found"}
            raise tool_error(fault, ", ".join(args.users) if people else args.channel) from None
        return Channel(channel=channel.id, name=channel.name)


def _shown_key(key: str) -> str:
    """The key as it may ride in a message's metadata, which Slack shows to API clients: a
    key an SOP made from a secret (its input) goes as its digest."""
    if redact(key) == key:
        return key
    return "sha256-" + hashlib.sha256(key.encode()).hexdigest()[:32]
