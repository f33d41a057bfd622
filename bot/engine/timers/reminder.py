"""``reminder``: nudge the people an open approval or task waits on."""

from __future__ import annotations

import datetime as dt

from bot.chat.messages import Message
from bot.engine import catch_up
from bot.engine.notify import fan_out, queue_message
from bot.engine.status import TimerKind
from bot.engine.timers.context import TimerContext
from bot.library import pinned_procedure
from storage import approvals, runs, timers
from storage.models import Timer


def handle(ctx: TimerContext, timer: Timer) -> None:
    """Nudge the people an approval or task waits on, on the reminder's own beat; those
    that fell due while no worker ran are caught up as the step's ``catch_up`` says."""
    now = ctx.runtime.clock.now()
    with ctx.runtime.database.session() as session:
        approval = approvals.get_approval(session, timer.payload["approval_id"])
        run = runs.get_run(session, approval.run_id) if approval is not None else None
        if approval is not None and run is not None and approval.status == "pending":
            every = dt.timedelta(seconds=timer.payload["every"])
            procedure = pinned_procedure(ctx.runtime.database, run.sop_hash)
            text = (
                f"Reminder: {approval.kind} {approval.id} is waiting for you: "
                f"{approval.package['summary']} (due {approval.due_at:%Y-%m-%d %H:%M} UTC)"
            )
            dues = catch_up.every_due(timer.due_at, every, now, until=approval.due_at)
            policy = catch_up.policy_of(procedure, approval.step_id)
            for follow_up in catch_up.follow_ups(dues, now, policy):
                for destination in fan_out(list(approval.deciders), ctx.runtime.directory):
                    message = Message(to=destination, text=f"{text} {follow_up.note}".rstrip())
                    queue_message(session, message, now=now, run_id=approval.run_id)
            upcoming = catch_up.next_after(timer.due_at, every, now)
            if upcoming < approval.due_at:
                timers.schedule(
                    session,
                    kind=TimerKind.REMINDER,
                    due_at=upcoming,
                    now=now,
                    run_id=approval.run_id,
                    payload=timer.payload,
                )
        ctx.complete(timer, session)
