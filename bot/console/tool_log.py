"""What the sandbox tools did, shown in the console as it happens ("the CRM refunded…").

Messages the tools sent to people (Slack posts and DMs, emails) show what the person would
read; every other write shows its arguments, without long texts and request bodies.
"""

from __future__ import annotations

import textwrap
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot.console.render import destination, humanise
from bot.directory import Directory
from storage.database import Database
from storage.models import SandboxCall

_LEFT_OUT = frozenset({"body", "description", "text", "json", "headers", "fields", "thread_ts"})
_INDENT = " " * 4


@dataclass
class ToolLog:
    """Remembers the last write shown and describes the newer ones."""

    database: Database
    last_id: int = 0
    directory: Directory | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def skip_existing(self) -> None:
        """Start after what the tools did before this console opened."""
        with self._lock, self.database.session(read_only=True) as session:
            newest = session.scalars(
                select(SandboxCall.id).order_by(SandboxCall.id.desc()).limit(1)
            ).first()
            self.last_id = newest or 0

    def new_lines(self) -> list[str]:
        """One description per write since the last call (each call sees a write once)."""
        with self._lock:
            with self.database.session(read_only=True) as session:
                calls = list(
                    session.scalars(
                        select(SandboxCall)
                        .where(SandboxCall.id > self.last_id)
                        .order_by(SandboxCall.id)
                    )
                )
            if calls:
                self.last_id = calls[-1].id
        return [describe(call, self.directory) for call in calls]


def describe(call: SandboxCall, directory: Directory | None = None) -> str:
    """``[sandbox] slack.dm to @Dev: Refund RF-0002 …`` or
    ``[sandbox] crm.refund order_id='1042' amount=640.0 reason='damaged'``."""
    arguments = call.arguments
    head = f"[sandbox] {call.operation}"
    if call.operation in ("slack.post", "slack.dm"):
        where = str(arguments.get("channel") or arguments.get("user") or "?")
        text = _message(str(arguments.get("text", "")), directory)
        return f"{head} to {_place(where, directory)}: {text}"
    if call.operation == "email.send":
        to = ", ".join(arguments.get("to", []))
        return f"{head} to {to}: {arguments.get('subject', '')!r}"
    shown = [
        f"{name}={_short(value)}" for name, value in arguments.items() if name not in _LEFT_OUT
    ]
    return " ".join([head, *shown])


def _place(where: str, directory: Directory | None) -> str:
    """``#ops`` for a channel, ``@Dev`` for a person."""
    if directory is None:
        return where
    shown = destination(where, directory)
    return shown.removeprefix("DM ")


def _message(text: str, directory: Directory | None) -> str:
    """Text as a person reads it; later lines indented under the first."""
    readable = humanise(text, directory) if directory else text
    first, _, rest = readable.strip().partition("\n")
    return first + ("\n" + textwrap.indent(rest, _INDENT) if rest else "")


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
