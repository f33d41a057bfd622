"""``sla``: an SLA clock's warning, breach or escalation link fires; a link's actions run
at most once, ever, and one a crash cut off is reported to the owner, never repeated."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.chat.messages import Message
from bot.engine import sla
from bot.engine.executor import LeaseLost
from bot.engine.notify import fan_out, queue_message
from bot.engine.status import FINISHED
from bot.engine.timers.context import TimerContext
from bot.engine.work import RunWork
from bot.library import pinned_procedure
from storage import journal, runs, timers
from storage import sla as sla_rows
from storage.journal import CallId
from storage.models import StepRecord, Timer
from storage.outages import retrying
from storage.timers import Claim


def handle(ctx: TimerContext, timer: Timer) -> None:
    """Fire the link: its alerts, then its actions through the guarded boundary."""
    assert timer.run_id is not None
    database = ctx.runtime.database
    link = f"{timer.payload['clock']}:{timer.payload['event']}{timer.payload['index']}"
    with database.session(read_only=True) as session:
        run = runs.get_run(session, timer.run_id)
        running = {row.clock_id for row in sla_rows.running_clocks(session, timer.run_id)}
        earlier = journal.calls_of(session, timer.run_id, journal.OWNER_SLA, link)
    if run is None:
        ctx.complete(timer)
        return
    procedure = pinned_procedure(database, run.sop_hash)
    work = RunWork.of(
        run, procedure, ctx.runtime.clock.now, ctx.runtime.secrets, ctx.runtime.catalogue
    )
    work.claim = Claim.of(timer)
    if run.status in FINISHED or timer.payload["clock"] not in running:
        _after_crash(ctx, work, earlier, link)  # the owner still hears of a call cut off
        _side_commit(ctx, work, complete=True)
        return
    caller = ctx.runtime.caller(
        lambda side: _side_commit(ctx, side, complete=False), ctx.executor.renew
    )
    actions = sla.fire(work, timer.payload, ctx.runtime.directory)
    if earlier:  # the cut-off try already committed this link's alerts with its first call
        work.pending.clear()
    _after_crash(ctx, work, earlier, link)
    tried = {record.call_no for record in earlier}
    for position, (operation_name, arguments) in enumerate(actions):
        operation = ctx.runtime.catalogue.get(operation_name)
        call = CallId(run.id, link, position + 1, journal.OWNER_SLA)
        if operation is not None and call.call_no not in tried:  # at most once, ever
            caller.call(work, step_id=link, operation=operation, arguments=arguments, call=call)
    _side_commit(ctx, work, complete=True)


def _after_crash(ctx: TimerContext, work: RunWork, earlier: list[StepRecord], link: str) -> None:
    """This SLA link was cut off by a crash: its unfinished calls may or may not have
    happened, so they are closed as unknown and the owner told, never repeated."""
    unknown = [record for record in earlier if record.status == "started"]
    if not unknown:
        return
    now = work.now()
    names = ", ".join(str(record.operation) for record in unknown)
    text = (
        f"Run {work.run.id}: the SLA action(s) {names} of {link} were interrupted and may or may "
        "not have happened. Check the tool before doing them by hand."
    )

    def record(session: Session) -> None:
        for entry in unknown:
            journal.finish_step(
                session,
                entry.id,
                status="unknown",
                response=None,
                error="the process stopped during this call",
                now=now,
            )
        for destination in fan_out([work.procedure.owner], ctx.runtime.directory):
            queue_message(
                session,
                Message(to=destination, text=text, kind="alert"),
                now=now,
                run_id=work.run.id,
            )

    work.later(record)


def _side_commit(ctx: TimerContext, work: RunWork, *, complete: bool) -> None:
    """Work done beside the run (an SLA link): fenced by its own timer's claim, which it
    completes with ``complete``; tried again while the database is out."""
    claim = work.claim
    assert claim is not None

    def transaction() -> None:
        now = ctx.runtime.clock.now()
        with ctx.runtime.database.session() as session:
            held = (
                timers.complete(session, claim, now=now)
                if complete
                else timers.hold(session, claim, until=now + ctx.runtime.lease)
            )
            if not held:
                raise LeaseLost(f"the lease on timer {claim.timer_id} was taken over")
            for change in work.pending:
                change(session)

    retrying(transaction, what=f"saving the SLA work of run {work.run.id}")
    work.pending = []
