"""Email: one operation, send."""

from __future__ import annotations

from pydantic import Field

from bot.catalogue.operation import Args, ConnectorSpec, Operation, Result


class SendArgs(Args):
    to: list[str] = Field(min_length=1)
    subject: str = Field(max_length=200)
    body: str
    cc: list[str] = Field(default_factory=list)


class Sent(Result):
    message_id: str


SPEC = ConnectorSpec(
    namespace="email",
    title="Email",
    operations=(
        Operation(
            "email.send",
            "Send an email",
            SendArgs,
            Sent,
            writes=True,
            idempotent=False,
            text_args=("subject", "body"),
            accepts_idempotency_key=True,
        ),
    ),
)
