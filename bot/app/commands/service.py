"""Executing ``/sop`` commands against the engine, for whoever asked and wherever."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from bot.commands import replies
from bot.commands.parser import USAGE, Command, UsageError, parse
from bot.directory import Directory
from bot.engine.engine import Engine
from bot.engine.errors import EngineError, InvalidInputs, MissingInput, MissingInputs
from bot.library import UnknownProcedure


@dataclass(frozen=True)
class Reply:
    """What to show the person; ``questions`` are inputs to ask before running again."""

    text: str
    ok: bool = True
    questions: list[MissingInput] = field(default_factory=list)
    command: Command | None = None


@dataclass
class CommandService:
    engine: Engine
    directory: Directory

    def handle(self, text: str, user_id: str, thread: dict[str, Any] | None = None) -> Reply:
        """Parse and run one command for ``user_id``; every failure is a clear reply."""
        try:
            command = parse(text)
        except UsageError as error:
            return Reply(str(error), ok=False)
        return self.execute(command, user_id, thread)

    def execute(
        self, command: Command, user_id: str, thread: dict[str, Any] | None = None
    ) -> Reply:
        """Run an already parsed command."""
        try:
            return self._execute(command, user_id, thread)
        except MissingInputs as missing:
            return Reply(str(missing), ok=False, questions=missing.missing, command=command)
        except InvalidInputs as error:
            usage = ""
            with contextlib.suppress(UnknownProcedure, IndexError):
                usage = "\nUsage: " + replies.input_usage(
                    self.engine.runtime.library.find(command.args[0]).procedure
                )
            return Reply(f"{error}{usage}", ok=False)
        except (EngineError, UnknownProcedure) as error:
            return Reply(str(error), ok=False)

    def _execute(self, command: Command, user_id: str, thread: dict[str, Any] | None) -> Reply:
        engine = self.engine
        now = engine.runtime.clock.now()
        verb = command.verb
        if verb == "help":
            return Reply(USAGE)
        if verb == "list":
            return Reply(replies.procedure_list(engine.runtime.library))
        if verb == "run":
            return self._run(command, user_id, thread)
        if verb == "status":
            return Reply(replies.run_status(engine.view(command.args[0]), now))
        if verb == "history":
            sop_id = (
                engine.runtime.library.find(command.args[0]).procedure.id if command.args else None
            )
            return Reply(replies.history(engine.history(sop_id=sop_id), now))
        if verb == "pending":
            return Reply(replies.pending(engine.pending_approvals(), now))
        if verb == "approve":
            return Reply(
                engine.decide(command.args[0], user_id, "approve", command.rest or None).message
            )
        if verb == "reject":
            return Reply(engine.decide(command.args[0], user_id, "reject", command.rest).message)
        if verb == "complete":
            return Reply(
                engine.complete_task(command.args[0], user_id, dict(command.options)).message
            )
        if verb == "cancel":
            return Reply(engine.cancel(command.args[0], user_id, command.rest).message)
        raise UsageError(f"unknown command '{verb}'")

    def _run(self, command: Command, user_id: str, thread: dict[str, Any] | None) -> Reply:
        served = self.engine.runtime.library.find(command.args[0])
        given: dict[str, Any] = dict(command.options)
        for name, value in list(given.items()):
            spec = served.procedure.inputs.get(name)
            if spec is not None and spec.type == "user":
                given[name] = self.directory.find_user(value) or value
        mode = None
        for word in command.args[1:]:
            if word.startswith("--mode="):
                mode = word.removeprefix("--mode=")
            else:
                raise InvalidInputs(f"'{word}' is not key=value")
        run = self.engine.start(
            served.procedure.id, given, started_by=user_id, thread=thread, mode=mode
        )
        return Reply(replies.run_started(run, served.procedure))
