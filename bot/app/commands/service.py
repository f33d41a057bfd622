"""Executing ``/sop`` commands through the front door, for whoever asked and wherever."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.app.commands import replies, routed
from bot.app.commands.parser import USAGE, USAGE_OF, Command, UsageError, is_read, parse
from bot.app.door import Asked, FrontDoor, Started
from bot.chat.messages import Card, Question
from bot.chat.port import Undeliverable
from bot.config import SettingsProblem
from bot.directory import Directory
from bot.engine.decisions import DecisionResult
from bot.engine.errors import EngineError, InvalidInputs
from bot.library import UnknownProcedure
from bot.llm.models import Models
from bot.llm.usage import AuditRecorder
from bot.procedure.summary import summarize
from bot.routing.configured import configured_router
from bot.routing.route import Router


@dataclass(frozen=True)
class Reply:
    """What to show the person; empty when the surface was asked a question instead."""

    text: str
    ok: bool = True
    card: Card | None = None
    """Buttons for what the text offers (a routed request's candidates), where shown."""


@dataclass
class CommandService:
    door: FrontDoor
    router: Router | None = None
    """Who reads free text (``/sop my order 1042 arrived broken``): by default the model
    ``SOPBOT_LLM_*`` sets up for routing, else the offline router; chosen on first use."""

    @property
    def directory(self) -> Directory:
        """Who is who, for surfaces that show names."""
        return self.door.directory

    def handle(self, text: str, user_id: str, thread: dict[str, Any] | None = None) -> Reply:
        """Parse and run one command for ``user_id``; every failure is a clear reply."""
        try:
            command = parse(text)
        except UsageError as error:
            return Reply(str(error), ok=False)
        return self.execute(command, user_id, thread)

    def execute(
        self,
        command: Command,
        user_id: str,
        thread: dict[str, Any] | None = None,
        request: str | None = None,
    ) -> Reply:
        """Run an already parsed command; ``request`` names the surface's request, so the
        same one never starts two runs."""
        name = command.args[0] if command.verb == "run" else None
        return self._answering(lambda: self._execute(command, user_id, thread, request), name)

    def answer(
        self,
        question: Question,
        user_id: str,
        answers: dict[str, str],
        request: str | None = None,
    ) -> Reply:
        """Hand a person's answers to a question back through the front door."""
        name = question.subject if question.action == "run" else None
        return self._answering(
            lambda: _reply(self.door.answer(question, user_id, answers, request)), name
        )

    def ask_task(self, task_id: str, user_id: str, thread: dict[str, Any] | None = None) -> Reply:
        """A task's Complete button: ask for its answers (or complete one without fields)."""
        return self._answering(lambda: _reply(self.door.ask_task(task_id, user_id, thread)), None)

    def decline_task(self, task_id: str, user_id: str, reason: str) -> Reply:
        """A task's Can't do button, with the reason the person gave."""
        return self._answering(
            lambda: _reply(self.door.decline_task(task_id, user_id, reason)), None
        )

    def _answering(self, act: Callable[[], Reply], procedure: str | None) -> Reply:
        """``act()``, with every refusal turned into a reply (inputs that do not fit get the
        procedure's usage line)."""
        try:
            return act()
        except InvalidInputs as error:
            usage = ""
            if procedure is not None:
                with contextlib.suppress(UnknownProcedure):
                    usage = "\nUsage: " + replies.input_usage(
                        self.door.library.find(procedure).procedure
                    )
            return Reply(f"{error}{usage}", ok=False)
        except (EngineError, UnknownProcedure) as error:
            return Reply(str(error), ok=False)

    def _execute(
        self,
        command: Command,
        user_id: str,
        thread: dict[str, Any] | None,
        request: str | None = None,
    ) -> Reply:
        door = self.door
        now = door.now()
        verb = command.verb
        if verb == "help":
            return Reply(USAGE)
        if verb == USAGE_OF:
            return Reply(str(UsageError(command.args[0])), ok=False)
        if is_read(command):  # only this workspace's people read
            door.check_reader(user_id, verb)
        if verb == "list":
            return Reply(replies.procedure_list(door.procedures(user_id)))
        if verb == "show":
            return self._show(command.args[0])
        if verb == "mode":
            return self._mode(command, user_id)
        if verb == "run":
            return self._run(command, user_id, thread, request)
        if verb == "route":
            return self._route(command.args[0], user_id, thread, request)
        if verb == "status":
            return Reply(replies.run_status(door.run(command.args[0]), now))
        if verb == "history":
            return Reply(
                replies.history(door.history(command.args[0] if command.args else None), now)
            )
        if verb == "pending":
            return Reply(replies.pending(door.pending(), now))
        if verb == "approvals":
            return Reply(replies.pending(door.pending(user_id), now))
        if verb == "approve":
            return _reply(door.decide(command.args[0], user_id, "approve", command.rest or None))
        if verb == "reject":
            return _reply(door.decide(command.args[0], user_id, "reject", command.rest))
        if verb == "complete":
            return _reply(door.complete_task(command.args[0], user_id, dict(command.options)))
        if verb == "choose":
            return _reply(door.choose(command.args[0], user_id, _option(command.rest)))
        if verb == "cancel":
            return _reply(door.cancel(command.args[0], user_id, command.rest))
        # The SLA alert buttons' verbs (no /sop words: a person presses the buttons).
        if verb == "acknowledge":
            return _reply(door.acknowledge(command.args[0], command.args[1], user_id))
        if verb == "decline":
            return _reply(door.decline_task(command.args[0], user_id, command.rest))
        if verb == "take_over":
            return _reply(door.take_over(command.args[0], user_id))
        raise UsageError(f"unknown command '{verb}'")

    def _show(self, name: str) -> Reply:
        """What procedure ``name`` does, its inputs, who approves, and its current mode."""
        procedure, current = self.door.mode(name)
        shown = procedure.model_copy(update={"mode": current.mode})
        note = replies.mode_note(current)
        return Reply(summarize(shown, today=self.door.now().date(), mode_note=note))

    def _mode(self, command: Command, user_id: str) -> Reply:
        """``mode NAME`` tells the mode; ``mode NAME MODE [reason]`` changes it."""
        name, *change = command.args
        if not change:
            return Reply(replies.mode_now(*self.door.mode(name)))
        mode, *reason = change
        return _reply(self.door.set_mode(name, mode, user_id, " ".join(reason) or None))

    def _route(
        self, text: str, user_id: str, thread: dict[str, Any] | None, request: str | None
    ) -> Reply:
        """Free text: start what it asks for, or say which procedures it may mean. Someone
        who may start nothing is refused first, before the model settings are read: they
        learn why, not that sopbot cannot read free text."""
        self.door.check_starter(user_id, text)
        if self.router is None:
            runtime = self.door.engine.runtime
            record = AuditRecorder(runtime.database, runtime.clock)
            try:
                self.router = configured_router(Models.configured(), record)
            except SettingsProblem as problem:
                return Reply(f"Cannot read free text: {problem}", ok=False)
        found = routed.route(
            self.door, self.router, text, by=user_id, thread=thread, request=request
        )
        if found.shows is not None:
            return self._show(found.shows)
        if found.outcome is None:
            return Reply(found.note, ok=False, card=found.card)
        answer = _reply(found.outcome).text
        return Reply(f"{found.note}\n{answer}" if answer else found.note)

    def _run(
        self,
        command: Command,
        user_id: str,
        thread: dict[str, Any] | None,
        request: str | None,
    ) -> Reply:
        self.door.library.find(command.args[0])  # an unknown name is told before a stray word
        mode = None
        for word in command.args[1:]:
            if word.startswith("--mode="):
                mode = word.removeprefix("--mode=")
            else:
                raise InvalidInputs(f"'{word}' is not key=value")
        try:
            started = self.door.start(
                command.args[0],
                dict(command.options),
                by=user_id,
                thread=thread,
                mode=mode,
                request=request,
            )
        except Undeliverable:  # its form opens only from a click: offer the button that does
            procedure = self.door.library.find(command.args[0]).procedure
            offered = routed.offer_run(procedure, dict(command.options), mode)
            return Reply(offered.note, ok=False, card=offered.card)
        return _reply(started)


def _option(text: str) -> int | str:
    """An option as typed: its number on the card (from 1) as a 0-based index, else a label."""
    return int(text) - 1 if text.isdigit() else text


def _reply(outcome: Started | Asked | DecisionResult) -> Reply:
    """A front door outcome in words; nothing to say when a question went out instead."""
    if isinstance(outcome, Started):
        return Reply(replies.run_started(outcome.run, outcome.title))
    if isinstance(outcome, Asked):
        return Reply("")
    return Reply(outcome.message)
