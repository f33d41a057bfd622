"""What a timer's handler works with: the engine's parts, and how to finish or hand back
the timer it holds."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.engine.decisions import Decisions
from bot.engine.executor import Executor, LeaseLost
from bot.engine.runtime import Runtime
from bot.engine.starting import Starter
from storage import timers
from storage.models import Timer
from storage.outages import DatabaseOutage, retrying
from storage.timers import Claim

log = logging.getLogger("bot.engine.worker")


@dataclass
class TimerContext:
    runtime: Runtime
    executor: Executor
    decisions: Decisions
    starter: Starter

    def complete(self, timer: Timer, session: Session | None = None) -> None:
        now = self.runtime.clock.now()
        if session is not None:
            if not timers.complete(session, Claim.of(timer), now=now):
                raise LeaseLost(f"the lease on timer {timer.id} was taken over")
            return
        with self.runtime.database.session() as fresh:
            timers.complete(fresh, Claim.of(timer), now=now)

    def give_back(self, claim: Claim) -> None:
        """Release a claim so the timer is tried again at once; if the database stays out,
        its lease runs out instead and the timer is claimable then."""

        def release() -> None:
            with self.runtime.database.session() as session:
                timers.release(session, claim)

        try:
            retrying(release, what=f"releasing timer {claim.timer_id}")
        except DatabaseOutage as outage:
            log.warning("could not release timer %s: %s", claim.timer_id, outage)
