"""What people do with an SLA alert: acknowledge its clock, or take the run over.

Each is one transaction under the run's lock (the decisions' lock order): the audit event,
and the alert cards that already landed queued for an update showing it (the outbox
recorded where each landed, so any surface updates its own cards and the engine needs no
surface's message ids). Taking over also says so in the run's thread. The answer is told
to the person who pressed; a repeated press changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from bot.chat.messages import message_from_json, ref_from_json
from bot.engine import policy
from bot.engine.alert_cards import Response, answered_card, clock_of
from bot.engine.decisions import DecisionResult
from bot.engine.errors import DecisionRefused, RunNotFound
from bot.engine.notify import queue_update, tell_thread
from bot.engine.refusals import refuse
from bot.engine.runtime import Runtime
from bot.engine.status import FINISHED, TimerKind
from bot.identity import mention
from bot.library import pinned_procedure
from storage import audit, locks, outbox, runs
from storage.models import AuditEvent, Run

ACKNOWLEDGED = "sla.acknowledge"
TAKEN_OVER = "run.take_over"


@dataclass
class AlertResponses:
    runtime: Runtime

    def acknowledge(self, run_id: str, clock_id: str, user_id: str) -> DecisionResult:
        """Record that ``user_id`` saw the alerts of the run's clock ``clock_id`` and is on
        it; the first acknowledgement stands, a later one is told who was first."""
        now = self.runtime.clock.now()
        self._check_person(user_id, ACKNOWLEDGED, run_id, now)
        with self.runtime.database.session() as session:
            run = _locked_run(session, run_id)
            if not any(clock == clock_id for clock, _ in _alert_cards(session, run_id)):
                raise DecisionRefused(f"run {run_id} has no SLA alert for clock {clock_id}")
            earlier = _responses(session, run_id).acknowledged.get(clock_id)
            if earlier is not None:
                who = "you" if earlier.by == user_id else mention(earlier.by)
                return DecisionResult(
                    f"SLA {clock_id} on run {run_id} was already acknowledged by {who} "
                    f"at {earlier.at:%Y-%m-%d %H:%M} UTC.",
                    final=True,
                )
            audit.append(
                session,
                at=now,
                actor=user_id,
                action=ACKNOWLEDGED,
                outcome="acknowledged",
                run_id=run.id,
                detail={"clock": clock_id},
            )
            _show_on_cards(session, run_id, now)
        return DecisionResult(
            f"Acknowledged SLA {clock_id} on run {run_id}; its alerts now show it.", final=True
        )

    def take_over(self, run_id: str, user_id: str) -> DecisionResult:
        """Record that ``user_id`` now handles the run, and say so in its thread (or to its
        owner when it has none); taking it from someone else names them."""
        now = self.runtime.clock.now()
        self._check_person(user_id, TAKEN_OVER, run_id, now)
        with self.runtime.database.session(read_only=True) as session:
            found = runs.get_run(session, run_id)
        if found is None:
            raise RunNotFound(f"no run {run_id}")
        owner = pinned_procedure(self.runtime.database, found.sop_hash).owner
        with self.runtime.database.session() as session:
            run = _locked_run(session, run_id)
            if run.status in FINISHED:
                raise DecisionRefused(
                    f"run {run_id} already ended ({run.status}): there is nothing to take over"
                )
            holder = _responses(session, run_id).taken_over
            if holder is not None and holder.by == user_id:
                return DecisionResult(f"You already took over run {run_id}.", final=True)
            audit.append(
                session,
                at=now,
                actor=user_id,
                action=TAKEN_OVER,
                outcome="taken",
                run_id=run_id,
                detail={"from": holder.by} if holder else {},
            )
            taken_from = f" from {mention(holder.by)}" if holder else ""
            tell_thread(
                session,
                run,
                f"{mention(user_id)} took this over{taken_from}.",
                now=now,
                fallback=owner,
            )
            _show_on_cards(session, run_id, now)
        return DecisionResult(f"You took over run {run_id}{taken_from}.", final=True)

    def _check_person(self, user_id: str, action: str, run_id: str, now: dt.datetime) -> None:
        """Only people answer alerts (a group or channel never does); refusals are audited."""
        why = policy.respond_refusal(self.runtime.directory, user_id)
        if why is not None:
            refuse(
                self.runtime.database, at=now, actor=user_id, action=action, why=why, run_id=run_id
            )


@dataclass(frozen=True)
class _Responses:
    acknowledged: dict[str, Response]
    """The first acknowledgement of each clock."""
    taken_over: Response | None
    """The latest take over."""


def _locked_run(session: Session, run_id: str) -> Run:
    locked = locks.run_then_pending(session, run_id)
    if locked is None:
        raise RunNotFound(f"no run {run_id}")
    return locked[0]


def _responses(session: Session, run_id: str) -> _Responses:
    """What people did with the run's alerts so far, from its audit trail."""
    acknowledged: dict[str, Response] = {}
    taken_over: Response | None = None
    for event in audit.events_for_run(session, run_id):
        if _is(event, ACKNOWLEDGED, "acknowledged"):
            acknowledged.setdefault(str(event.detail["clock"]), Response(event.actor, event.at))
        elif _is(event, TAKEN_OVER, "taken"):
            taken_over = Response(event.actor, event.at)
    return _Responses(acknowledged, taken_over)


def _is(event: AuditEvent, action: str, outcome: str) -> bool:
    return event.action == action and event.outcome == outcome


def _alert_cards(session: Session, run_id: str) -> list[tuple[str, outbox.Queued]]:
    """The run's SLA alerts, each with its clock."""
    found = []
    for queued in outbox.queued_for_run(session, run_id, kind=TimerKind.NOTIFY):
        card = message_from_json(queued.message).card
        clock = clock_of(card) if card is not None else None
        if clock is not None:
            found.append((clock, queued))
    return found


def _show_on_cards(session: Session, run_id: str, now: dt.datetime) -> None:
    """Queue an update of every alert card of the run that landed, from the audit trail
    (so an acknowledgement and a take over both show, whichever came first)."""
    session.flush()
    responses = _responses(session, run_id)
    for clock, queued in _alert_cards(session, run_id):
        if queued.landed is None:
            continue
        message = message_from_json(queued.message)
        assert message.card is not None
        card = answered_card(message.card, responses.acknowledged.get(clock), responses.taken_over)
        queue_update(
            session,
            ref_from_json(queued.landed),
            replace(message, card=card),
            now=now,
            run_id=run_id,
        )
