"""The durable outbox: messages are queued as timers in the same transaction as the change
they report, then delivered by the worker. A crash between the two loses nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy.orm import Session

from bot.chat.messages import Card, Message, MessageRef, message_from_json, message_to_json
from bot.chat.port import ChatPort
from bot.directory import Directory
from bot.engine.status import TimerKind
from storage import approvals, timers
from storage.database import Database
from storage.models import Run, Timer

_GROUP = re.compile(r"^S[A-Z0-9]{2,}$")


def queue_message(
    session: Session,
    message: Message,
    *,
    now: dt.datetime,
    run_id: str | None = None,
    approval_id: str | None = None,
    replace_card: bool = False,
) -> None:
    """Deliver ``message`` soon; with ``approval_id`` its card is remembered (or replaced)."""
    payload: dict[str, Any] = {"message": message_to_json(message)}
    if approval_id:
        payload["approval_id"] = approval_id
        payload["replace_card"] = replace_card
    timers.schedule(
        session, kind=TimerKind.NOTIFY, due_at=now, now=now, run_id=run_id, payload=payload
    )


def tell_thread(
    session: Session,
    run: Run,
    text: str,
    *,
    now: dt.datetime,
    card: Card | None = None,
    fallback: str | None = None,
    approval_id: str | None = None,
    replace_card: bool = False,
) -> None:
    """Say something in the run's own conversation (or to ``fallback`` when it has none)."""
    destination = run.thread["to"] if run.thread else fallback
    if destination is None:
        return
    message = Message(
        to=destination, thread=run.thread, text=text, card=card, kind="card" if card else "info"
    )
    queue_message(
        session, message, now=now, run_id=run.id, approval_id=approval_id, replace_card=replace_card
    )


def fan_out(targets: list[str], directory: Directory) -> list[str]:
    """Destinations for an alert: users and channels as they are, groups as their members."""
    destinations: list[str] = []
    for target in targets:
        members = sorted(directory.members(target)) if _GROUP.match(target) else [target]
        destinations.extend(member for member in members if member not in destinations)
    return destinations


def deliver(chat: ChatPort, database: Database, timer: Timer) -> None:
    """Post (or update) the queued message; remember where an approval card landed."""
    message = message_from_json(timer.payload["message"])
    approval_id = timer.payload.get("approval_id")
    if approval_id and timer.payload.get("replace_card"):
        with database.session() as session:
            approval = approvals.get_approval(session, approval_id)
            card = approval.card if approval else None
        if card:
            chat.update(
                MessageRef(to=card["to"], id=card["id"], extra=card.get("extra", {})), message
            )
            return
    ref = chat.post(message)
    if approval_id and not timer.payload.get("replace_card"):
        with database.session() as session:
            approvals.set_card(
                session, approval_id, {"to": ref.to, "id": ref.id, "extra": ref.extra}
            )
