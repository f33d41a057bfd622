"""``notify``: the durable outbox. Messages queued with the change they report are posted
here, once each (``bot.engine.notify.deliver``)."""

from __future__ import annotations

from functools import partial

from bot.chat.port import Undeliverable
from bot.engine.notify import Landed, deliver, known_about, record
from bot.engine.status import BOT_ACTOR
from bot.engine.timers.context import TimerContext, log
from storage import audit, timers
from storage.database import Database
from storage.models import Timer
from storage.outages import describe, is_outage, retrying
from storage.timers import Claim


def handle(ctx: TimerContext, timer: Timer) -> None:
    """Deliver one queued message."""
    deliver_batch(ctx, [timer])


def deliver_batch(ctx: TimerContext, messages: list[Timer]) -> None:
    """Post queued messages, then mark them all done in one transaction.

    What the database knows about the batch is read once. Where each message landed is
    recorded right after its post, in a short commit that does not wait for the disk (a
    lost record costs only a repeat that the chat's key makes harmless) — unless the chat
    finds earlier posts by their key itself (``finds_earlier_posts``: Slack does, through
    message metadata), and then the records join the final commit. A message the chat could
    not take now stays claimed and is tried again once its lease runs out; one it refused
    for good is given up, on the record; one already delivered is not posted again.
    """
    if not messages:
        return
    database, chat = ctx.runtime.database, ctx.runtime.chat
    known = retrying(partial(known_about, database, messages), what="reading the outbox")
    record_at_once = not getattr(chat, "finds_earlier_posts", False)
    delivered: list[int] = []
    unrecorded: list[Landed] = []
    for timer in messages:
        try:
            if _lease_running_out(ctx, timer):  # someone may have taken it over: look again
                known.refresh(retrying(partial(known_about, database, [timer]), what="outbox"))
            landed = deliver(chat, timer, known)
            if landed is not None and record_at_once:
                retrying(partial(_record, database, [landed]), what="recording a delivery")
            elif landed is not None:
                unrecorded.append(landed)
        except Undeliverable as refused:
            log.error("message timer %s cannot be delivered: %s", timer.id, refused)
            retrying(partial(_give_up, ctx, timer, str(refused)), what="giving up a message")
            continue
        except Exception as error:
            if is_outage(error):  # tried again at once, not after the lease
                log.warning("message timer %s left for later: %s", timer.id, describe(error))
                ctx.give_back(Claim.of(timer))
                continue
            log.exception("could not deliver message timer %s; it will be tried again", timer.id)
            continue
        delivered.append(timer.id)
    if delivered:

        def complete() -> None:
            with database.session() as session:
                record(session, unrecorded, on_timers=False)
                timers.complete_many(
                    session, delivered, owner=ctx.runtime.worker_id, now=ctx.runtime.clock.now()
                )

        retrying(complete, what="completing delivered messages")


def _lease_running_out(ctx: TimerContext, timer: Timer) -> bool:
    """Past three quarters of its lease (a slow chat): another worker may hold it by now."""
    if timer.lease_until is None:
        return True
    return ctx.runtime.clock.now() >= timer.lease_until - ctx.runtime.lease / 4


def _record(database: Database, landed: list[Landed]) -> None:
    with database.session(durable=False) as session:
        record(session, landed)


def _give_up(ctx: TimerContext, timer: Timer, why: str) -> None:
    """Close a message the chat refused for good, with the refusal in the audit log."""
    now = ctx.runtime.clock.now()
    with ctx.runtime.database.session() as session:
        if not timers.complete(session, Claim.of(timer), now=now):
            return  # another worker holds it now
        audit.append(
            session,
            at=now,
            actor=BOT_ACTOR,
            action="message.undeliverable",
            outcome="refused",
            run_id=timer.run_id,
            detail={"to": timer.payload["message"]["to"], "timer": timer.id},
            reason=why,
        )
