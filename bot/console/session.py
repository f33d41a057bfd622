"""One person at the console: who they are, what they type, and what happens next.

Console-only commands: ``/as @maria`` (switch identity), ``/whoami``, ``/clock`` and
``/clock +7d`` (sandbox time), ``/quit``; a number presses that button. Everything else is
the shared ``/sop`` command language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.clock.time import OffsetClock
from bot.commands import replies
from bot.commands.parser import Command
from bot.commands.service import CommandService, Reply
from bot.console.chat import ConsoleChat
from bot.console.render import humanise
from bot.console.tool_log import ToolLog
from bot.engine.engine import Engine
from bot.procedure.durations import parse_duration

THREAD = {"to": "console"}
CONSOLE_HELP = """\
Console commands: /as @name (act as someone), /whoami, /clock [+7d] (sandbox time),
a button's number to press it, /quit. Procedure commands: /sop help."""


@dataclass
class ConsoleSession:
    engine: Engine
    service: CommandService
    chat: ConsoleChat
    clock: OffsetClock
    ask: Callable[[str], str]
    say: Callable[[str], None]
    user: str
    tool_log: ToolLog

    def handle(self, line: str) -> bool:
        """Act on one line; False when the person wants to leave."""
        text = line.strip()
        if not text:
            return True
        if text in ("/quit", "/exit", "quit", "exit"):
            return False
        try:
            self._handle(text)
        finally:
            self.drain()
        return True

    def drain(self) -> None:
        """Do every piece of work that is due now (the console's clock tick), and show
        what the sandbox tools did."""
        self.engine.run_due()
        for line in self.tool_log.new_lines():
            self.say(line)

    def _handle(self, text: str) -> None:
        directory = self.service.directory
        if text.isdigit():
            self._press(int(text))
        elif text.startswith("/as"):
            handle = text[3:].strip()
            user = directory.find_user(handle)
            if user is None:
                self.say(
                    f"Nobody called '{handle}' here. Try @maria, @dev, @sam, @lee, @val, @ana or @kai."
                )
            else:
                self.user = user
                self.say(f"You are now @{directory.display_name(user)} ({user}).")
        elif text == "/whoami":
            self.say(f"You are @{directory.display_name(self.user)} ({self.user}).")
        elif text.startswith("/clock"):
            self._clock(text[6:].strip())
        elif text.startswith("/sop"):
            self._reply(self.service.handle(text, self.user, THREAD))
        elif text in ("/help", "help"):
            self.say(CONSOLE_HELP)
        else:
            self.say(f"'{text}' is not a command. {CONSOLE_HELP}")

    def _clock(self, amount: str) -> None:
        if amount:
            try:
                delta = parse_duration(amount.removeprefix("+"))
            except ValueError as error:
                self.say(str(error))
                return
            self.clock.advance(delta)
        self.say(f"Sandbox time: {self.clock.now():%Y-%m-%d %H:%M} UTC")

    def _reply(self, reply: Reply) -> None:
        if reply.questions and reply.command is not None:
            answers = {
                item.name: self.ask(f"{replies.question(item)}: ").strip()
                for item in reply.questions
            }
            options = {**reply.command.options, **answers}
            command = Command(reply.command.verb, reply.command.args, options)
            reply = self.service.execute(command, self.user, THREAD)
        self.say(humanise(reply.text, self.service.directory))

    def _press(self, number: int) -> None:
        button = self.chat.buttons.get(number)
        if button is None:
            self.say(f"There is no button {number} (any more).")
            return
        if button.action == "approve":
            self._reply(self.service.handle(f"/sop approve {button.value}", self.user, THREAD))
        elif button.action == "reject":
            reason = self.ask("Reason for rejecting: ").strip()
            self._reply(
                self.service.execute(
                    Command("reject", (button.value, *reason.split())), self.user, THREAD
                )
            )
        elif button.action == "complete":
            self._complete(button.value)

    def _complete(self, task_id: str) -> None:
        pending = {approval.id: approval for approval in self.engine.pending_approvals()}
        task = pending.get(task_id)
        answers: dict[str, Any] = {}
        if task is not None:
            for name, spec in task.package.get("fields", {}).items():
                answers[name] = self.ask(
                    f"{spec.get('prompt') or spec.get('description') or name}: "
                ).strip()
        self._reply(
            self.service.execute(Command("complete", (task_id,), answers), self.user, THREAD)
        )


def now_line(clock: OffsetClock) -> str:
    """The time shown in the banner."""
    return f"{clock.now().astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
