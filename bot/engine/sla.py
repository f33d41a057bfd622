"""SLA clocks: started with the run when their condition holds, warned before breach,
escalated link by link, stopped when the run completes the step that meets them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from bot.chat.messages import Message
from bot.engine.alert_cards import alert_card
from bot.engine.notify import fan_out, queue_message
from bot.engine.status import BOT_ACTOR, RUN_TIMER_KINDS, TimerKind
from bot.engine.targets import TargetError, resolve_targets
from bot.engine.work import RunWork
from bot.procedure import expressions
from bot.procedure.durations import format_duration
from bot.procedure.model import Procedure
from bot.procedure.policies import SlaClock
from storage import audit, sla, timers
from storage.models import Run


def start_clocks(
    session: Session, procedure: Procedure, run: Run, context: dict[str, Any], now: dt.datetime
) -> None:
    """Start every clock whose ``applies_when`` holds, and schedule its warnings and links."""
    for clock in procedure.sla:
        if clock.applies_when and not _holds(clock.applies_when, context):
            continue
        deadline = now + clock.deadline
        sla.start_clock(
            session, run_id=run.id, clock_id=clock.id, started_at=now, deadline_at=deadline
        )
        for index, before in enumerate(clock.warn_before):
            _arm(session, run.id, clock.id, "warn", index, deadline - before, now)
        for index, link in enumerate(clock.escalations):
            due = deadline if link.after == "breach" else now + link.after
            _arm(session, run.id, clock.id, "link", index, due, now)
        if not any(link.after == "breach" for link in clock.escalations):
            _arm(session, run.id, clock.id, "breach", 0, deadline, now)


def _arm(
    session: Session,
    run_id: str,
    clock_id: str,
    event: str,
    index: int,
    due: dt.datetime,
    now: dt.datetime,
) -> None:
    timers.schedule(
        session,
        kind=TimerKind.SLA,
        due_at=max(due, now),
        now=now,
        run_id=run_id,
        payload={"clock": clock_id, "event": event, "index": index},
    )


def _holds(condition: str, context: dict[str, Any]) -> bool:
    try:
        return expressions.test(condition, context)
    except expressions.ExpressionError:
        return True  # a clock that cannot be evaluated runs: missing an SLA is worse


def stop_at_step(work: RunWork, step_id: str) -> None:
    """The run completed ``step_id``: the clocks it meets stop as met."""
    now = work.now()
    met = [clock.id for clock in work.procedure.sla if clock.stops_at == step_id]

    def stop(session: Session) -> None:
        for clock_id in met:
            sla.stop_clock(session, work.run.id, clock_id, at=now, status="met")

    if met:
        work.later(stop)


def stop_all(session: Session, run_id: str, *, now: dt.datetime) -> None:
    """The run ended: clocks still running are cancelled."""
    for row in sla.running_clocks(session, run_id):
        sla.stop_clock(session, run_id, row.clock_id, at=now, status="cancelled")


def close_out(session: Session, run_id: str, *, now: dt.datetime) -> None:
    """A run ended outside its own advance (cancelled, rejected, broken): nothing may wake it
    again, and its SLA clocks stop. Messages already queued are still delivered."""
    timers.cancel(session, run_id=run_id, kinds=[k for k in RUN_TIMER_KINDS if k != TimerKind.SLA])
    cancel_links(session, run_id)
    stop_all(session, run_id, now=now)


def cancel_links(session: Session, run_id: str) -> None:
    """The run ended: its SLA links that have not fired never will. One a worker holds is
    left to it: if that worker died mid-call, whoever takes the link over next must still
    report the call as cut off."""
    timers.cancel(session, run_id=run_id, kinds=[TimerKind.SLA], claimed_too=False)


def fire(
    work: RunWork, payload: dict[str, Any], directory: Any
) -> list[tuple[str, dict[str, Any]]]:
    """Queue a warning or an escalation link for a running clock.

    Returns the link's actions (operation, rendered arguments) for the caller to perform
    through the guarded boundary.
    """
    clock = next((c for c in work.procedure.sla if c.id == payload["clock"]), None)
    if clock is None:
        return []
    now = work.now()
    context = work.expression_context()
    event, index = payload["event"], payload["index"]
    if event == "warn":
        before = clock.warn_before[index]
        _alert(
            work,
            clock,
            _default_targets(work, clock),
            "SLA warning",
            f"SLA {clock.id} on run {work.run.id} breaches in {format_duration(before)}",
            directory,
            now,
        )
        return []
    if event == "breach":
        work.later(lambda session: sla.mark_breached(session, work.run.id, clock.id, at=now))
        _alert(
            work,
            clock,
            _default_targets(work, clock),
            "SLA breached",
            f"SLA {clock.id} breached on run {work.run.id}",
            directory,
            now,
        )
        return []
    link = clock.escalations[index]
    if link.unless and _holds_strictly(link.unless, context):
        return []
    if link.after == "breach":
        work.later(lambda session: sla.mark_breached(session, work.run.id, clock.id, at=now))
    message = _render(link.message, context) or (
        f"SLA {clock.id} breached on run {work.run.id}"
        if link.after == "breach"
        else f"SLA {clock.id} on run {work.run.id}: {format_duration(link.after)} passed"
    )
    try:
        targets = resolve_targets(link.to, work.procedure, work.run.started_by, context)
    except TargetError as error:
        targets = [work.procedure.owner]
        message += f" (target problem: {error})"
    heading = "SLA breached" if link.after == "breach" else "SLA escalation"
    _alert(work, clock, targets, heading, message, directory, now)
    actions: list[tuple[str, dict[str, Any]]] = []
    for call in link.actions:
        try:
            rendered = expressions.render(dict(call.with_), context)
        except expressions.ExpressionError as error:
            _alert(
                work,
                clock,
                [work.procedure.owner],
                "SLA action not prepared",
                f"SLA action {call.action} could not be prepared: {error}",
                directory,
                now,
            )
            continue
        actions.append((call.action, rendered))
    return actions


def _default_targets(work: RunWork, clock: SlaClock) -> list[str]:
    chain = clock.escalations[0].to if clock.escalations else []
    try:
        return resolve_targets(
            chain or [work.procedure.owner],
            work.procedure,
            work.run.started_by,
            work.expression_context(),
        )
    except TargetError:
        return [work.procedure.owner]


def _alert(
    work: RunWork,
    clock: SlaClock,
    targets: list[str],
    heading: str,
    text: str,
    directory: Any,
    now: dt.datetime,
) -> None:
    """Alert ``targets`` (groups fan out to their members) with the clock's alert card."""
    destinations = fan_out(targets, directory)
    card = alert_card(heading, text, procedure=work.procedure, run=work.run, clock=clock)

    def record(session: Session) -> None:
        audit.append(
            session,
            at=now,
            actor=BOT_ACTOR,
            action="sla.alert",
            outcome="sent",
            run_id=work.run.id,
            detail={"clock": clock.id, "to": targets, "text": text},
        )
        for destination in destinations:
            queue_message(
                session,
                Message(to=destination, text=text, card=card, kind="alert"),
                now=now,
                run_id=work.run.id,
            )

    work.later(record)


def _holds_strictly(condition: str, context: dict[str, Any]) -> bool:
    try:
        return expressions.test(condition, context)
    except expressions.ExpressionError:
        return False


def _render(template: str | None, context: dict[str, Any]) -> str | None:
    if not template:
        return None
    try:
        return str(expressions.render(template, context))
    except expressions.ExpressionError:
        return template
