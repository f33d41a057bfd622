"""``notify``: the durable outbox. Messages queued with the change they report are posted
here, once each (``bot.engine.notify.deliver``)."""

from __future__ import annotations

from functools import partial

from bot.chat.port import Undeliverable
from bot.engine.notify import deliver
from bot.engine.status import BOT_ACTOR
from bot.engine.timers.context import TimerContext, log
from storage import audit, timers
from storage.models import Timer
from storage.outages import describe, is_outage, retrying
from storage.timers import Claim


def handle(ctx: TimerContext, timer: Timer) -> None:
    """Deliver one queued message."""
    deliver_batch(ctx, [timer])


def deliver_batch(ctx: TimerContext, messages: list[Timer]) -> None:
    """Post queued messages (each recorded as delivered right after its post), then mark
    them all done in one transaction. A message the chat could not take now stays claimed
    and is tried again once its lease runs out; one it refused for good is given up, on
    the record; one already delivered is not posted again."""
    delivered: list[int] = []
    for timer in messages:
        try:
            deliver(ctx.runtime.chat, ctx.runtime.database, timer)
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
            with ctx.runtime.database.session() as session:
                timers.complete_many(
                    session,
                    delivered,
                    owner=ctx.runtime.worker_id,
                    now=ctx.runtime.clock.now(),
                )

        retrying(complete, what="completing delivered messages")


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
