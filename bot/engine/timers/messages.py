"""``notify``: the durable outbox. Messages queued with the change they report are posted
here, once each (``bot.engine.notify.deliver``)."""

from __future__ import annotations

from bot.engine.notify import deliver
from bot.engine.timers.context import TimerContext, log
from storage import timers
from storage.models import Timer
from storage.outages import describe, is_outage, retrying
from storage.timers import Claim


def handle(ctx: TimerContext, timer: Timer) -> None:
    """Deliver one queued message."""
    deliver_batch(ctx, [timer])


def deliver_batch(ctx: TimerContext, messages: list[Timer]) -> None:
    """Post queued messages (each recorded as delivered right after its post), then mark
    them all done in one transaction. A message the chat refused stays claimed and is
    tried again once its lease runs out; one already delivered is not posted again."""
    delivered: list[int] = []
    for timer in messages:
        try:
            deliver(ctx.runtime.chat, ctx.runtime.database, timer)
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
