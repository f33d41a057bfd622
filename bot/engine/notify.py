"""The durable outbox: messages are queued as timers in the same transaction as the change
they report, then delivered by the worker. A crash between the two loses nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from bot.chat.messages import (
    Card,
    Message,
    MessageRef,
    message_from_json,
    message_to_json,
    ref_from_json,
    ref_to_json,
)
from bot.chat.port import ChatPort
from bot.directory import Directory
from bot.engine.status import TimerKind
from bot.identity import is_group_id
from storage import approvals, outbox, runs, timers
from storage.database import Database
from storage.models import Run, Timer
from storage.timers import Claim


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


def queue_update(
    session: Session, at: MessageRef, message: Message, *, now: dt.datetime, run_id: str | None
) -> None:
    """Replace the message that landed ``at`` with ``message`` soon (a card showing what
    people did with it since)."""
    payload = {"message": message_to_json(message), "update_at": ref_to_json(at)}
    timers.schedule(
        session, kind=TimerKind.NOTIFY, due_at=now, now=now, run_id=run_id, payload=payload
    )


def open_thread(session: Session, run: Run, text: str, *, now: dt.datetime) -> None:
    """Start the run's conversation: a root message in its channel, whose thread the run's
    later messages go to (``tell_thread``) and which shows the outcome at the end
    (``close_thread``)."""
    if not run.thread:
        return
    run.thread = {**run.thread, "rooted": True}
    message = Message(to=run.thread["to"], text=text)
    payload = {"message": message_to_json(message), "thread_root": True}
    timers.schedule(
        session, kind=TimerKind.NOTIFY, due_at=now, now=now, run_id=run.id, payload=payload
    )


def close_thread(session: Session, run: Run, text: str, *, now: dt.datetime) -> None:
    """Show the run's outcome on its root message (and in its thread)."""
    if not run.thread:
        return
    message = Message(to=run.thread["to"], text=text)
    payload = {"message": message_to_json(message), "replace_root": True}
    timers.schedule(
        session, kind=TimerKind.NOTIFY, due_at=now, now=now, run_id=run.id, payload=payload
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
        members = sorted(directory.members(target)) if is_group_id(target) else [target]
        destinations.extend(member for member in members if member not in destinations)
    return destinations


def _is_root_update(timer: Timer) -> bool:
    return bool(timer.payload.get("replace_root"))


def _thread_root(database: Database, run_id: str | None) -> dict[str, Any] | None:
    """Where the run's root message landed, once posted. A message queued before its root
    landed (the root failed, or it belongs to an older run) goes to the channel itself."""
    if run_id is None:
        return None
    with database.session(read_only=True) as session:
        run = runs.get_run(session, run_id)
    thread = run.thread if run is not None else None
    root = thread.get("root") if thread else None
    return root if isinstance(root, dict) else None


def outbox_key(timer: Timer) -> str:
    """The delivery key of a queued message: its timer id, with the moment it was queued so
    that two sopbot databases posting into one conversation never share a key."""
    return f"sopbot-{timer.id}-{timer.created_at:%Y%m%d%H%M%S%f}"


def deliver(chat: ChatPort, database: Database, timer: Timer) -> None:
    """Post (or update) the queued message once; remember where an approval card landed.

    The chat is asked with the message's key, and where it landed is recorded on the timer
    row in its own short commit right after the post, before the worker completes the
    timer. A worker that takes the timer over (the first one's lease ran out, or it died
    before completing) finds that record and posts nothing; a worker whose claim was taken
    over leaves the message to the new owner. The database record, rather than the
    ``inbound_keys`` table, because it keeps the reference a card needs, and goes with the
    timer.

    One window remains: a process that dies (or loses the database) after the chat took
    the post and before the record commits leaves no trace here, so the next owner posts
    again; no transaction spans a chat and our database. It lasts one commit, and adapters
    that can ask the chat itself for the key (Slack, through message metadata) close it.
    """
    message = message_from_json(timer.payload["message"])
    if "update_at" in timer.payload:
        chat.update(ref_from_json(timer.payload["update_at"]), message)
        return
    approval_id = timer.payload.get("approval_id")
    root = (
        _thread_root(database, timer.run_id) if message.thread or _is_root_update(timer) else None
    )
    if _is_root_update(timer) and root is not None:
        chat.update(ref_from_json(root), message)
        return
    if message.thread and root is not None:
        message = replace(message, thread={**message.thread, "root": root})
    if approval_id and timer.payload.get("replace_card"):
        with database.session() as session:
            approval = approvals.get_approval(session, approval_id)
            card = approval.card if approval else None
        if card:
            chat.update(ref_from_json(card), message)  # the same card again shows the same
            return
    with database.session(read_only=True) as session:
        state = outbox.delivery(session, Claim.of(timer))
    if state.landed is not None:
        ref = ref_from_json(state.landed)
    elif state.held:
        ref = chat.post(message, key=outbox_key(timer))
        with database.session() as session:
            outbox.record_delivery(session, timer.id, ref_to_json(ref))
            if timer.payload.get("thread_root") and timer.run_id:
                runs.set_thread_root(session, timer.run_id, ref_to_json(ref))
    else:
        return  # another worker holds or finished it now
    if approval_id and not timer.payload.get("replace_card"):
        with database.session() as session:
            approvals.set_card(session, approval_id, ref_to_json(ref))
