"""What the sandbox tools did, shown in the console as it happens ("the CRM refunded…")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from storage.database import Database
from storage.models import SandboxCall

_HEADLINE_ARGUMENTS = (
    "to",
    "channel",
    "user",
    "subject",
    "summary",
    "order_id",
    "amount",
    "account_id",
    "ticket_id",
    "claim_id",
    "key",
    "status",
    "score",
    "name",
    "title",
)


@dataclass
class ToolLog:
    """Remembers the last write shown and describes the newer ones."""

    database: Database
    last_id: int = 0

    def skip_existing(self) -> None:
        """Start after what the tools did before this console opened."""
        with self.database.session() as session:
            newest = session.scalars(
                select(SandboxCall.id).order_by(SandboxCall.id.desc()).limit(1)
            ).first()
        self.last_id = newest or 0

    def new_lines(self) -> list[str]:
        """One line per write since the last call."""
        with self.database.session() as session:
            calls = list(
                session.scalars(
                    select(SandboxCall)
                    .where(SandboxCall.id > self.last_id)
                    .order_by(SandboxCall.id)
                )
            )
        if calls:
            self.last_id = calls[-1].id
        return [describe(call) for call in calls]


def describe(call: SandboxCall) -> str:
    """``[sandbox] email.send to=['jordan@…'] subject='Your refund…'``."""
    shown = [
        f"{name}={_short(call.arguments[name])}"
        for name in _HEADLINE_ARGUMENTS
        if name in call.arguments
    ]
    return f"[sandbox] {call.operation} " + " ".join(shown)


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
