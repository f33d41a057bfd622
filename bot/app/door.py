"""The front door: what every surface (console, Slack, webhooks) may ask of sopbot.

A start is recorded and left to the worker, never run inline, so a surface that must answer
within seconds always can (the console drives the worker itself right after, for its
interactive feel). Missing inputs and a task's answers are asked through the surface's
``ask``; the answers come back through ``answer``. The policy is enforced by the engine
itself and used here to show each person what is theirs; only ``views`` come out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from bot.app import questions, views
from bot.app.views import Escalation, OpenItem, ProcedureList, RunDetail, RunSummary
from bot.chat.messages import Question
from bot.chat.port import SurfacePort
from bot.directory import Directory
from bot.engine import policy
from bot.engine.alert_responses import AlertResponses
from bot.engine.decisions import Decision, DecisionResult
from bot.engine.engine import Engine
from bot.engine.errors import DecisionRefused, EngineError, MissingInputs
from bot.engine.mode_changes import ModeChanges
from bot.engine.modes import CurrentMode, current_mode
from bot.engine.refusals import refuse
from bot.identity import mention
from bot.library import Library, ServedProcedure
from bot.procedure.model import Procedure

QUOTED = 200
"""The most of a request in words that is quoted back, in an answer or in the audit of a
refusal: a pasted document is not repeated whole."""


@dataclass(frozen=True)
class Started:
    """A run was recorded; the worker advances it."""

    run: RunSummary
    title: str


@dataclass(frozen=True)
class Asked:
    """The surface was asked to put ``question`` to the person; nothing else happened yet."""

    question: Question


@dataclass
class FrontDoor:
    engine: Engine
    directory: Directory
    chat: SurfacePort

    @property
    def library(self) -> Library:
        """The served procedures."""
        return self.engine.runtime.library

    def now(self) -> dt.datetime:
        """The engine's time, for showing how long ago things happened."""
        return self.engine.runtime.clock.now()

    def start(
        self,
        name: str,
        given: dict[str, Any],
        *,
        by: str,
        thread: dict[str, Any] | None = None,
        mode: str | None = None,
        request: str | None = None,
    ) -> Started | Asked:
        """Record a run of ``name`` for ``by``; ask them for any input it is missing.

        ``request`` names the surface's request: the same request never starts two runs."""
        served = self.library.find(name)
        given = self._people(served, given)
        try:
            run = self.engine.start(
                served.procedure.id,
                given,
                started_by=by,
                thread=thread,
                mode=mode,
                inline=False,
                request_key=request,
            )
        except MissingInputs as missing:
            question = questions.for_inputs(
                served.procedure, missing.missing, to=by, given=given, mode=mode, thread=thread
            )
            self.chat.ask(question)
            return Asked(question)
        return Started(views.summary(run), served.procedure.title)

    def answer(
        self, question: Question, by: str, answers: dict[str, str], request: str | None = None
    ) -> Started | DecisionResult:
        """Do what ``question`` was asked for, with ``by``'s answers (empty ones left out)."""
        if by != question.to:
            raise DecisionRefused(
                f"that question was for {mention(question.to)}, not for you: ask them to answer it"
            )
        given = {name: value for name, value in answers.items() if value}
        if question.action == "complete":
            return self.complete_task(question.subject, by, given)
        served = self.library.find(question.subject)
        try:
            run = self.engine.start(
                served.procedure.id,
                {**question.carry.get("given", {}), **self._people(served, given)},
                started_by=by,
                thread=question.thread,
                mode=question.carry.get("mode"),
                inline=False,
                request_key=request,
            )
        except MissingInputs as missing:
            unanswered = ", ".join(item.name for item in missing.missing)
            raise EngineError(f"Nothing was started: {unanswered} still needs an answer.") from None
        return Started(views.summary(run), served.procedure.title)

    def decide(
        self, approval_id: str, by: str, decision: Decision, reason: str | None = None
    ) -> DecisionResult:
        """Approve or reject; the engine holds who may."""
        return self.engine.decide(approval_id, by, decision, reason)

    def ask_task(
        self, task_id: str, by: str, thread: dict[str, Any] | None = None
    ) -> Asked | DecisionResult:
        """Ask ``by`` for an open task's answers. A task without fields, or one no longer
        open, goes straight to the engine, which completes it or says why not."""
        task = next((item for item in self.pending() if item.id == task_id), None)
        if task is None or not task.fields:
            return self.complete_task(task_id, by, {})
        question = questions.for_task(task, to=by, thread=thread)
        self.chat.ask(question)
        return Asked(question)

    def complete_task(self, task_id: str, by: str, answers: dict[str, Any]) -> DecisionResult:
        """Report a task done with its answers."""
        return self.engine.complete_task(task_id, by, answers)

    def choose(self, task_id: str, by: str, option: int | str) -> DecisionResult:
        """``by`` picks one option of a choice (its 0-based index, or its label); the run
        goes to that option's step. The engine holds who may."""
        return self.engine.decisions.choose(task_id, by, option)

    def decline_task(self, task_id: str, by: str, reason: str) -> DecisionResult:
        """``by`` cannot do the task (a "Can't do" click): the run goes to a person."""
        return self.engine.decline_task(task_id, by, reason)

    def cancel(self, run_id: str, by: str, reason: str) -> DecisionResult:
        """Stop a run; the engine holds who may."""
        return self.engine.cancel(run_id, by, reason)

    def acknowledge(self, run_id: str, clock_id: str, by: str) -> DecisionResult:
        """``by`` saw the SLA alerts of the run's clock and is on it (audited, shown on the
        alert cards); only people may."""
        return AlertResponses(self.engine.runtime).acknowledge(run_id, clock_id, by)

    def take_over(self, run_id: str, by: str) -> DecisionResult:
        """``by`` handles the run from now on (audited, said in its thread, shown on its
        alert cards); only people may, and only while it runs."""
        return AlertResponses(self.engine.runtime).take_over(run_id, by)

    def mode(self, name: str) -> tuple[Procedure, CurrentMode]:
        """The procedure ``name`` (id or command word) and the mode new runs start in: its
        file's, or the one an owner set, with who set it, when and why."""
        procedure = self.library.find(name).procedure
        with self.engine.runtime.database.session(read_only=True) as session:
            return procedure, current_mode(session, procedure)

    def set_mode(self, name: str, mode: str, by: str, reason: str | None = None) -> DecisionResult:
        """Make ``mode`` the mode of new runs of ``name``; the engine holds who may (its
        owners), runs in flight keep theirs."""
        return ModeChanges(self.engine.runtime).set(name, mode, by, reason)

    def procedures(self, by: str) -> ProcedureList:
        """The procedures ``by`` may start (none for a group or channel), in their current
        modes."""
        listed = views.procedure_list(self.library, self.engine.runtime.database)
        if policy.start_refusal(self.directory, by) is not None:
            return ProcedureList((), listed.broken_files)
        return listed

    def check_reader(self, by: str, command: str) -> None:
        """Refuse, audited, ``by``'s read (``status``, ``pending``…) unless they are a person
        of this workspace: a surface asks before it answers where others may read it."""
        self._check(policy.read_refusal(self.directory, by), by, "read", {"command": command})

    def check_starter(self, by: str, request: str) -> None:
        """Refuse, audited, a request in words from someone who may start nothing, before it
        is routed: they are told why, not that none of their (no) procedures fits."""
        why = policy.start_refusal(self.directory, by)
        self._check(why, by, "run.start", {"request": request[:QUOTED]})

    def _check(self, why: str | None, by: str, action: str, detail: dict[str, Any]) -> None:
        """Audit and raise the policy's refusal ``why``, if any."""
        if why is not None:
            refuse(
                self.engine.runtime.database,
                at=self.now(),
                actor=by,
                action=action,
                why=why,
                error=EngineError,
                detail=detail,
            )

    def run(self, run_id: str) -> RunDetail:
        """Where a run stands."""
        return views.run_detail(self.engine.runtime.database, run_id)

    def history(
        self, name: str | None = None, limit: int = 20, *, started_by: str | None = None
    ) -> list[RunSummary]:
        """Recent runs, of one procedure (id or command word) or all; with ``started_by``,
        only the runs that person started."""
        sop_id = self.library.find(name).procedure.id if name else None
        return views.history(
            self.engine.runtime.database, sop_id=sop_id, started_by=started_by, limit=limit
        )

    def escalations(self, limit: int = 10) -> list[Escalation]:
        """Runs that ended handed to people, newest first."""
        return views.escalations(self.engine.runtime.database, limit=limit)

    def pending(self, by: str | None = None) -> list[OpenItem]:
        """Approvals and tasks waiting for people; with ``by``, only those ``by`` may decide."""
        items = views.open_items(self.engine.runtime.database)
        if by is None:
            return items
        return [item for item in items if policy.is_decider(self.directory, by, item.deciders)]

    def _people(self, served: ServedProcedure, given: dict[str, Any]) -> dict[str, Any]:
        """``@maria`` for an input of type user becomes her user ID."""
        resolved = dict(given)
        for name, value in given.items():
            spec = served.procedure.inputs.get(name)
            if spec is not None and spec.type == "user":
                resolved[name] = self.directory.find_user(value) or value
        return resolved
