"""The durable outbox: messages are queued as timers in the same transaction as the change
they report, then delivered by the worker. A crash between the two loses nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
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


def outbox_key(timer: Timer) -> str:
    """The delivery key of a queued message: its timer id, with the moment it was queued so
    that two sopbot databases posting into one conversation never share a key."""
    return f"sopbot-{timer.id}-{timer.created_at:%Y%m%d%H%M%S%f}"


@dataclass
class Known:
    """What the database says about a batch of queued messages, read once before posting:
    whether each is still held and where it landed, each run's thread (with its root once
    posted), and where each approval's card was posted. A root posted in the batch joins its
    run's thread, so the messages after it go into that thread."""

    deliveries: dict[int, outbox.Delivery]
    threads: dict[str, dict[str, Any]]
    cards: dict[str, dict[str, Any]]

    def refresh(self, fresher: Known) -> None:
        """Take what a later read found."""
        self.deliveries.update(fresher.deliveries)
        self.threads.update(fresher.threads)
        self.cards.update(fresher.cards)

    def root(self, run_id: str | None) -> dict[str, Any] | None:
        """Where the run's root message landed, once posted."""
        root = self.threads.get(run_id or "", {}).get("root")
        return root if isinstance(root, dict) else None


@dataclass(frozen=True)
class Landed:
    """A message this worker posted (or found posted): what to record about it."""

    timer_id: int
    ref: dict[str, Any]
    root_of: str | None = None
    """The run whose conversation it starts."""
    thread: dict[str, Any] | None = None
    """That run's thread with this message as its root, to store."""
    card_of: str | None = None
    """The approval whose card it is."""
    new: bool = True
    """Posted now (False: another worker posted it, only the card may be unrecorded)."""
    shows_a_card: bool = False
    """A card is updated later (a decision, an acknowledgement): where it landed is kept."""


def known_about(database: Database, batch: list[Timer]) -> Known:
    """Everything the batch's deliveries need from the database, in one read."""
    run_ids = {timer.run_id for timer in batch if timer.run_id}
    approval_ids = {str(t.payload["approval_id"]) for t in batch if t.payload.get("approval_id")}
    with database.session(read_only=True) as session:
        return Known(
            outbox.deliveries(session, [Claim.of(timer) for timer in batch]),
            runs.threads(session, run_ids),
            approvals.cards(session, approval_ids),
        )


def deliver(chat: ChatPort, timer: Timer, known: Known) -> Landed | None:
    """Post (or update) one queued message once; what to record about it, if anything.

    The chat is asked with the message's key. Where it landed is recorded on the timer row
    (``record``) before the worker completes the timer, so a worker that takes the timer
    over (the first one's lease ran out, or it died before completing) finds that record
    and posts nothing, and a worker whose claim was taken over leaves the message to the
    new owner. The database record rather than the ``inbound_keys`` table, because it keeps
    the reference a card needs and goes with the timer.

    One window remains: a process that dies (or loses the database) after the chat took
    the post and before the record commits leaves no trace here, so the next owner posts
    again; no transaction spans a chat and our database. Adapters that ask the chat itself
    for the key (Slack, through message metadata) close it.
    """
    message = message_from_json(timer.payload["message"])
    if "update_at" in timer.payload:
        chat.update(ref_from_json(timer.payload["update_at"]), message)
        return None
    root = known.root(timer.run_id)
    if _is_root_update(timer) and root is not None:
        chat.update(ref_from_json(root), message)
        return None
    if message.thread and root is not None:
        message = replace(message, thread={**message.thread, "root": root})
    approval_id = timer.payload.get("approval_id")
    replacing = bool(timer.payload.get("replace_card"))
    if approval_id and replacing and approval_id in known.cards:
        chat.update(ref_from_json(known.cards[approval_id]), message)  # the same again is harmless
        return None
    card_of = approval_id if approval_id and not replacing else None
    state = known.deliveries.get(timer.id)
    if state is not None and state.landed is not None:
        return Landed(timer.id, state.landed, card_of=card_of, new=False)
    if state is None or not state.held:
        return None  # another worker holds or finished it now
    ref = ref_to_json(chat.post(message, key=outbox_key(timer)))
    root_of = timer.run_id if timer.payload.get("thread_root") else None
    thread = known.threads.get(root_of or "")
    if root_of and thread is not None:
        thread = known.threads[root_of] = {**thread, "root": ref}
    if card_of:
        known.cards[card_of] = ref
    return Landed(
        timer.id,
        ref,
        root_of=root_of,
        thread=thread,
        card_of=card_of,
        shows_a_card=message.card is not None,
    )


def record(session: Session, landed: list[Landed], *, on_timers: bool = True) -> None:
    """Remember where messages landed: on their timers (unless ``on_timers`` is False: the
    same commit completes them, so no worker will look for a plain message; a card's place
    is kept, since updating it later needs it), as their run's thread root, as their
    approval's card."""
    for item in landed:
        if item.new and (on_timers or item.shows_a_card):
            outbox.record_delivery(session, item.timer_id, item.ref)
        if item.root_of and item.thread is not None:
            runs.set_thread(session, item.root_of, item.thread)
        if item.card_of:
            approvals.set_card(session, item.card_of, item.ref)
