"""Starting runs: from a command, an inbound event, or a schedule.

A run is created pinned to the exact SOP text (content hash), with its inputs checked, its
SLA clocks started and its first ``advance`` timer due now, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from croniter import croniter

from bot.chat.messages import Message
from bot.engine import sla
from bot.engine.errors import AlreadyStarted, EngineError
from bot.engine.executor import schedule_advance
from bot.engine.inputs import resolve_inputs
from bot.engine.modes import ModeRefused, current_mode, mode_for_run
from bot.engine.notify import open_thread, queue_message
from bot.engine.runtime import Runtime
from bot.engine.state import RunState, to_stored
from bot.engine.status import BOT_ACTOR, RunStatus, TimerKind
from bot.library import ServedProcedure
from bot.procedure import expressions
from bot.secrets import shown_inputs
from storage import audit, inbound, runs, timers
from storage.models import Run, Timer
from storage.timers import Claim


def new_run_id() -> str:
    """A short id people can type: ``r-`` and ten hex characters."""
    return "r-" + secrets.token_hex(5)


@dataclass
class Starter:
    runtime: Runtime

    def start(
        self,
        name: str,
        given: dict[str, Any] | None = None,
        *,
        started_by: str | None = None,
        trigger: dict[str, Any] | None = None,
        thread: dict[str, Any] | None = None,
        interactive: bool = True,
        mode: str | None = None,
        claim_for: str | None = None,
        request_key: str | None = None,
    ) -> tuple[Run, Claim | None]:
        """Create a run of the procedure ``name`` (id or command word), due at once.

        Returns the run and, when ``claim_for`` names the process that will advance the run
        itself right away, its claim on the run's first ``advance`` timer.
        """
        served = self.runtime.library.find(name)
        procedure = served.procedure
        trigger = trigger or {"kind": "command", "by": started_by}
        now = self.runtime.clock.now()
        inputs = resolve_inputs(procedure, given or {}, trigger, interactive=interactive)
        context = {
            "inputs": inputs,
            "trigger": trigger,
            "now": now,
            "today": now.date(),
            "constants": procedure.constants,
        }
        refused: ModeRefused | None = None
        with self.runtime.database.session() as session:
            try:  # the current mode is read in the start's own transaction
                run_mode = mode_for_run(procedure, current_mode(session, procedure).mode, mode)
            except ModeRefused as refusal:
                refused = refusal
            else:
                if request_key is not None and not inbound.remember(
                    session, key=f"start:{request_key}", source="start", at=now
                ):  # the same request again (a worker took it over after a crash): once is enough
                    raise AlreadyStarted(f"this request already started a run of {procedure.title}")
                run = self._new_run(served, run_mode, started_by, trigger, inputs, thread, now)
                runs.insert_run(session, run)
                claim = schedule_advance(
                    session,
                    run.id,
                    due_at=now,
                    now=now,
                    claim_for=claim_for,
                    lease=self.runtime.lease,
                )
                sla.start_clocks(session, procedure, run, context, now)
                audit.append(
                    session,
                    at=now,
                    actor=started_by or BOT_ACTOR,
                    action="run.start",
                    outcome="started",
                    run_id=run.id,
                    detail={
                        "sop": procedure.id,
                        "version": procedure.version,
                        "hash": served.content_hash,
                        "inputs": shown_inputs(run.inputs),
                        "mode": run.mode,
                    },
                )
                open_thread(
                    session, run, f"Started {procedure.title} · run {run.id} ({run.mode})", now=now
                )
        if refused is not None:
            self._refuse_mode(served, refused, started_by, trigger, now)
        return run, claim

    def _new_run(
        self,
        served: ServedProcedure,
        mode: str,
        started_by: str | None,
        trigger: dict[str, Any],
        inputs: dict[str, Any],
        thread: dict[str, Any] | None,
        now: dt.datetime,
    ) -> Run:
        procedure = served.procedure
        return Run(
            id=new_run_id(),
            sop_id=procedure.id,
            sop_hash=served.content_hash,
            status=RunStatus.RUNNING,
            mode=mode,
            started_by=started_by,
            trigger=trigger,
            inputs=self.runtime.secrets.seal_inputs(procedure.inputs, inputs),
            state=to_stored({}, RunState()),
            cursor=procedure.steps[0].id,
            attempt=0,
            waiting_on="timer",
            thread=thread,
            version=1,
            created_at=now,
            updated_at=now,
        )

    def _refuse_mode(
        self,
        served: ServedProcedure,
        refused: ModeRefused,
        started_by: str | None,
        trigger: dict[str, Any],
        now: dt.datetime,
    ) -> NoReturn:
        """A request to run less carefully than the procedure's current mode (its file's,
        or what an owner set with ``/sop mode``): audited and refused, whichever way it
        came (command, API, event)."""
        with self.runtime.database.session() as session:
            audit.append(
                session,
                at=now,
                actor=started_by or BOT_ACTOR,
                action="run.start",
                outcome="refused",
                detail={
                    "sop": served.procedure.id,
                    "mode": refused.current,
                    "asked_mode": refused.asked,
                    "allowed_modes": refused.allowed,
                    "trigger": trigger.get("kind"),
                },
                reason=str(refused),
            )
        raise refused

    def start_from_event(
        self,
        source: str,
        event_type: str,
        event: dict[str, Any],
        *,
        key: str,
        mode: str | None = None,
    ) -> list[Run]:
        """Start every procedure whose event trigger matches; a repeated ``key`` starts nothing.

        Each procedure's run remembers the key in its own start transaction, so an event
        handled again after a crash starts the runs it had not started yet, and none twice.
        One procedure refusing the event (its inputs do not fit) does not stop the others:
        the refusal is audited and its owner told.
        """
        now = self.runtime.clock.now()
        trigger = {"kind": "event", "source": source, "type": event_type, **event}
        started: list[Run] = []
        for served in self.runtime.library.procedures.values():
            if not _matches(served, source, event_type, event):
                continue
            try:
                run, _ = self.start(
                    served.procedure.id,
                    {},
                    interactive=False,
                    trigger=trigger,
                    mode=mode,
                    request_key=f"{key}:{served.procedure.id}",
                )
            except AlreadyStarted:
                continue
            except ModeRefused:
                continue  # audited where it was refused: the caller's mode, not the event
            except EngineError as error:
                self._refused(served, source, event_type, str(error), now)
                continue
            started.append(run)
        return started

    def _refused(
        self, served: ServedProcedure, source: str, event_type: str, why: str, now: dt.datetime
    ) -> None:
        procedure = served.procedure
        text = f"{procedure.title} did not start for {source} {event_type}: {why}"
        with self.runtime.database.session() as session:
            audit.append(
                session,
                at=now,
                actor=BOT_ACTOR,
                action="run.start",
                outcome="refused",
                detail={"sop": procedure.id, "source": source, "type": event_type},
                reason=why,
            )
            queue_message(session, Message(to=procedure.owner, text=text, kind="alert"), now=now)

    def arm_schedules(self) -> int:
        """Make sure each scheduled procedure has its next firing as a timer (once, across processes)."""
        now = self.runtime.clock.now()
        armed = 0
        for served in self.runtime.library.procedures.values():
            schedule = served.procedure.trigger.schedule
            if schedule is None:
                continue
            due = next_fire(schedule.cron, schedule.timezone, now)
            with self.runtime.database.session() as session:
                if inbound.remember(
                    session,
                    key=f"schedule:{served.procedure.id}:{due.isoformat()}",
                    source="schedule",
                    at=now,
                ):
                    timers.schedule(
                        session,
                        kind=TimerKind.SCHEDULE,
                        due_at=due,
                        now=now,
                        payload={
                            "sop_id": served.procedure.id,
                            "cron": schedule.cron,
                            "timezone": schedule.timezone,
                        },
                    )
                    armed += 1
        return armed

    def fire_schedule(self, timer: Timer) -> None:
        """Start the scheduled run (late if the bot was down, never dropped) and arm the next one."""
        now = self.runtime.clock.now()
        payload = timer.payload
        with self.runtime.database.session() as session:
            timers.complete(session, Claim.of(timer), now=now)
            following = next_fire(payload["cron"], payload["timezone"], max(now, timer.due_at))
            if inbound.remember(
                session,
                key=f"schedule:{payload['sop_id']}:{following.isoformat()}",
                source="schedule",
                at=now,
            ):
                timers.schedule(
                    session, kind=TimerKind.SCHEDULE, due_at=following, now=now, payload=payload
                )
        if payload["sop_id"] in self.runtime.library.procedures:
            self.start(
                payload["sop_id"],
                {},
                trigger={"kind": "schedule", "due_at": timer.due_at.isoformat()},
                interactive=False,
            )


def next_fire(cron: str, timezone: str, after: dt.datetime) -> dt.datetime:
    """The next time ``cron`` fires in ``timezone`` strictly after ``after``, in UTC."""
    zone = ZoneInfo(timezone)
    local = after.astimezone(zone)
    following: dt.datetime = croniter(cron, local).get_next(dt.datetime)
    return following.astimezone(dt.UTC)


def _matches(served: ServedProcedure, source: str, event_type: str, event: dict[str, Any]) -> bool:
    for trigger in served.procedure.trigger.events:
        if trigger.source != source or trigger.type != event_type:
            continue
        if trigger.filter is None:
            return True
        try:
            if expressions.test(trigger.filter, {"event": event, "trigger": event}):
                return True
        except expressions.ExpressionError:
            continue
    return False
