"""Slack operations a procedure may call (the chat port handles cards and questions)."""

from __future__ import annotations

from pydantic import Field

from bot.catalogue.operation import Args, ConnectorSpec, Operation, Result


class PostArgs(Args):
    channel: str = Field(description="a channel ID or #name")
    text: str = Field(max_length=40_000)
    thread_ts: str | None = None


class Posted(Result):
    channel: str
    ts: str


class DirectMessageArgs(Args):
    user: str = Field(description="a Slack user ID")
    text: str = Field(max_length=40_000)


class CreateChannelArgs(Args):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,79}$")
    private: bool = False


class Channel(Result):
    channel: str
    name: str


class InviteArgs(Args):
    channel: str
    users: list[str] = Field(min_length=1)


SPEC = ConnectorSpec(
    namespace="slack",
    title="Slack",
    operations=(
        Operation(
            "slack.post",
            "Post a message in a channel",
            PostArgs,
            Posted,
            writes=True,
            idempotent=False,
            text_args=("text",),
            accepts_idempotency_key=True,
        ),
        Operation(
            "slack.dm",
            "Send a direct message",
            DirectMessageArgs,
            Posted,
            writes=True,
            idempotent=False,
            text_args=("text",),
            accepts_idempotency_key=True,
        ),
        Operation(
            "slack.create_channel",
            "Create a channel (or reuse one of that name)",
            CreateChannelArgs,
            Channel,
            writes=True,
            idempotent=True,
        ),
        Operation(
            "slack.invite",
            "Invite people to a channel",
            InviteArgs,
            Channel,
            writes=True,
            idempotent=True,
        ),
    ),
)
