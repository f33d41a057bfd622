"""The worker: claim due timers from the database and hand each to its kind's handler
(``bot.engine.timers``).

Any number of workers, in one process or many, may run this at once: a timer is claimed
by exactly one of them (with a lease), and a run only moves through compare-and-set.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.engine.decisions import Decisions
from bot.engine.executor import Executor, RunConflict
from bot.engine.runtime import Runtime
from bot.engine.starting import Starter
from bot.engine.status import TimerKind
from bot.engine.timers import HANDLERS, TimerHandler, broken
from bot.engine.timers.context import TimerContext
from bot.engine.timers.messages import deliver_batch
from storage import timers
from storage.models import Run, Timer
from storage.outages import describe, is_outage
from storage.timers import Claim

log = logging.getLogger(__name__)


@dataclass
class Worker:
    runtime: Runtime
    executor: Executor
    decisions: Decisions
    starter: Starter
    context: TimerContext = field(init=False)
    handlers: dict[str, TimerHandler] = field(init=False)

    def __post_init__(self) -> None:
        self.context = TimerContext(self.runtime, self.executor, self.decisions, self.starter)
        self.handlers = dict(HANDLERS)

    def register(self, kind: str, handler: TimerHandler) -> None:
        """Let a layer above the engine (the front door's inbox, say) have its own kind of
        due work done by the same workers, claimed and leased like the engine's own."""
        if kind in self.handlers:
            raise ValueError(f"timer kind {kind!r} already has a handler")
        self.handlers[kind] = handler

    def run_due(self, *, batch: int = 50, max_rounds: int = 1000) -> int:
        """Handle every timer due now (several rounds, as handling makes new work). Returns the count."""
        handled = 0
        for _ in range(max_rounds):
            now = self.runtime.clock.now()
            with self.runtime.database.session() as session:
                claimed = timers.claim_due(
                    session,
                    now=now,
                    owner=self.runtime.worker_id,
                    lease=self.runtime.lease,
                    limit=batch,
                    kinds=self.handlers,
                )
            if not claimed:
                return handled
            deliver_batch(
                self.context, [timer for timer in claimed if timer.kind == TimerKind.NOTIFY]
            )
            for timer in claimed:
                if timer.kind != TimerKind.NOTIFY:
                    self.handle(timer)
            handled += len(claimed)
        return handled

    def handle(self, timer: Timer) -> None:
        """One claimed timer; an unexpected error escalates the run instead of killing the
        worker, and a timer that has already stopped several workers is set aside."""
        claim = Claim.of(timer)
        if timer.takeovers >= broken.QUARANTINE_AFTER and timer.kind != TimerKind.NOTIFY:
            self._guarded(
                claim,
                timer.kind,
                timer.run_id,
                lambda: broken.set_aside(self.context, timer, claim),
            )
            return
        handler = self.handlers.get(timer.kind)
        if handler is None:
            raise ValueError(f"timer {timer.id} has the unknown kind {timer.kind!r}")
        self._guarded(claim, timer.kind, timer.run_id, lambda: handler(self.context, timer))

    def handle_advance(self, run: Run, claim: Claim) -> None:
        """Advance a run this process just created, holding its first timer."""
        self._guarded(
            claim,
            TimerKind.ADVANCE,
            run.id,
            lambda: self.executor.advance(run.id, claim, fresh=run),
        )

    def _guarded(
        self, claim: Claim, kind: str, run_id: str | None, work: Callable[[], None]
    ) -> None:
        try:
            work()
        except RunConflict as conflict:
            log.info("backing off: %s", conflict)
            self.context.give_back(claim)
        except Exception as error:
            if is_outage(error):
                log.warning(
                    "timer %s (%s) left for later: %s", claim.timer_id, kind, describe(error)
                )
                self.context.give_back(claim)
                return
            reference = uuid.uuid4().hex[:8]
            log.exception("timer %s (%s) failed [error %s]", claim.timer_id, kind, reference)
            broken.fail(self.context, claim, kind, run_id, error, reference)
