"""The durable inbox: a surface's request (a Slack command, click or form) is written down
with its dedupe key in one transaction before the surface acknowledges it; a worker then
does it through the front door and answers the person through the outbox. An inbound
event (a signed webhook delivery) is recorded the same way, and its work is starting the SOPs
whose event triggers match.

Recording first means a crash after the acknowledgement loses nothing; a request seen
before (Slack's retry, a double click, a replayed form) records nothing, so it is never
done twice. The work itself is a parsed ``/sop`` command or a question's answers, done by
the same ``CommandService`` the console uses, so every refusal reads the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
import weakref
from dataclasses import asdict, dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from bot.app.commands.parser import Command
from bot.app.commands.service import CommandService, Reply
from bot.app.door import FrontDoor
from bot.chat.messages import Message, Question, QuestionField
from bot.engine.engine import Engine
from bot.engine.notify import queue_message
from bot.engine.timers.context import TimerContext
from storage import inbound, timers
from storage.database import Database
from storage.group_commit import GroupCommit
from storage.models import Timer

INBOUND = "inbound"
"""The timer kind of recorded requests; only processes that can do them claim them."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Request:
    key: str
    source: str
    work: dict[str, Any]
    now: dt.datetime


_recorders: weakref.WeakKeyDictionary[Database, GroupCommit[_Request, bool]] = (
    weakref.WeakKeyDictionary()
)
_recorders_lock = threading.Lock()


def record(
    database: Database, *, key: str, source: str, work: dict[str, Any], now: dt.datetime
) -> bool:
    """Write ``work`` down to be done soon, unless ``key`` was seen before (then False and
    nothing is written). The key and the work commit together or not at all; requests
    recorded at the same moment share one commit (``storage.group_commit``)."""
    with _recorders_lock:
        recorder = _recorders.get(database)
        if recorder is None:
            recorder = _recorders[database] = GroupCommit(database, _write)
    return recorder.submit(_Request(key, source, work, now))


def _write(session: Session, request: _Request) -> bool:
    if not inbound.remember(session, key=request.key, source=request.source, at=request.now):
        return False
    timers.schedule(
        session,
        kind=INBOUND,
        due_at=request.now,
        now=request.now,
        payload={"source": request.source, "work": request.work},
    )
    return True


def command_work(
    command: Command, *, by: str, channel: str | None, answer_in: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A parsed command, for ``by``, answered in ``channel`` to them alone, or for all to
    see in the thread ``answer_in`` names (``{"to": channel, "root": {"to", "id"}}``: a
    mention of the bot is answered under it)."""
    return {
        "command": {"verb": command.verb, "args": list(command.args), "options": command.options},
        "by": by,
        "channel": channel,
        **({"answer_in": answer_in} if answer_in else {}),
    }


def answer_work(
    question: Question, answers: dict[str, str], *, by: str, channel: str | None
) -> dict[str, Any]:
    """A person's answers to ``question``."""
    return {"question": asdict(question), "answers": answers, "by": by, "channel": channel}


def event_work(source: str, event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """An event from ``source`` (a webhook's name) for the SOPs whose event triggers match."""
    return {"event": {"source": source, "type": event_type, "payload": payload}}


def register_inbox(engine: Engine, door: FrontDoor) -> None:
    """Let this process's workers do recorded requests."""
    engine.worker.register(INBOUND, Inbox(CommandService(door)).handle)


@dataclass
class Inbox:
    service: CommandService

    def handle(self, context: TimerContext, timer: Timer) -> None:
        """Do one request and queue its answer; the timer is completed whatever happened,
        so a request that fails is answered once, never retried into a second effect."""
        work: dict[str, Any] = timer.payload["work"]
        if "event" in work:
            self._start_runs(context, timer, work["event"])
            return
        try:
            # the timer names the request: done again after a crash, it starts no second run
            answer = self._perform(work, f"inbound:{timer.id}")
        except Exception:
            reference = uuid.uuid4().hex[:8]
            log.exception("inbound request %s failed [error %s]", timer.id, reference)
            answer = Reply(
                f"Something went wrong on our side (error {reference}); nothing was done twice.",
                ok=False,
            )
        with context.runtime.database.session() as session:
            if answer.text:
                queue_message(session, _answer(work, answer), now=context.runtime.clock.now())
            context.complete(timer, session)

    def _start_runs(self, context: TimerContext, timer: Timer, event: dict[str, Any]) -> None:
        """Start the SOPs an event triggers. Nobody waits for an answer: a failure is logged
        and the timer completed, and done again after a crash the event starts nothing twice
        (the timer is its key)."""
        source, event_type = event["source"], event["type"]
        try:
            started = self.service.door.engine.starter.start_from_event(
                source, event_type, event["payload"], key=f"event:{timer.id}"
            )
        except Exception:
            log.exception("event %s %s (inbound %s) started nothing", source, event_type, timer.id)
        else:
            log.info(
                "event %s %s started %s",
                source,
                event_type,
                ", ".join(run.id for run in started) or "no run: no SOP's event trigger matched",
            )
        # no wait for the disk: lost in a machine crash, the event is done again and its
        # key refuses every run it already started
        with context.runtime.database.session(durable=False) as session:
            context.complete(timer, session)

    def _perform(self, work: dict[str, Any], request: str) -> Reply:
        by, channel = work["by"], work.get("channel")
        thread = {"to": channel} if channel else None
        if "question" in work:
            return self.service.answer(_question(work["question"]), by, work["answers"], request)
        command = work["command"]
        parsed = Command(command["verb"], tuple(command["args"]), dict(command["options"]))
        return self.service.execute(parsed, by, thread, request)


def _answer(work: dict[str, Any], answer: Reply) -> Message:
    """A request's answer, with its buttons: in the thread it names, else to the person."""
    thread = work.get("answer_in")
    if thread:
        kind: Literal["card", "info"] = "card" if answer.card else "info"
        return Message(thread["to"], answer.text, answer.card, thread=thread, kind=kind)
    channel = work.get("channel")
    where = {"to": channel} if channel else None
    return Message(work["by"], answer.text, answer.card, thread=where, kind="reply")


def _question(data: dict[str, Any]) -> Question:
    """The inverse of ``dataclasses.asdict`` on a ``Question``."""
    fields = tuple(
        QuestionField(**{**field, "choices": tuple(field["choices"])}) for field in data["fields"]
    )
    return Question(**{**data, "fields": fields})
