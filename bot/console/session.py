"""One person at the console: who they are, what they type, and what happens next.

Console-only commands: ``/as @maria`` (switch identity), ``/whoami``, ``/people``,
``/clock`` and ``/clock +7d`` (sandbox time), ``/help``, ``/quit``; a number presses that
button. Everything else is the shared ``/sop`` command language.

A command and the due work it causes hold the console's turn until both are done and
shown, so the background clock never slips its output into the middle of a command.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.app.commands.alerts import ALERT_ACTIONS, alert_command
from bot.app.commands.parser import Command, choose_command
from bot.app.commands.service import CommandService, Reply
from bot.chat.messages import Question
from bot.clock.time import OffsetClock
from bot.console.chat import ConsoleChat
from bot.console.people import Person
from bot.console.render import humanise, prompt
from bot.console.tool_log import ToolLog
from bot.engine.engine import Engine
from bot.procedure.durations import parse_duration

log = logging.getLogger(__name__)
THREAD = {"to": "console"}
QUIT_WORDS = ("/quit", "/exit", "quit", "exit")
CONSOLE_HELP = """\
Console commands:
  /as @name      act as someone else (/people lists who is here)
  /whoami        who you are now
  /clock [+7d]   show the sandbox time, or move it on: due follow-ups and deadlines fire
  NUMBER         press the button with that number on a card
  /quit          leave (Ctrl-D does too)
Procedure commands: /sop help, for example /sop list or
  /sop run refund order_id=1042 reason=damaged"""
SHORT_HELP = "Type /help for the console's commands, /sop help for the procedure commands."


class _Cancelled(Exception):
    """The person left a question with Ctrl-C or Ctrl-D."""


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
    people: tuple[Person, ...] = ()
    _turn: threading.RLock = field(default_factory=threading.RLock, init=False, repr=False)

    def handle(self, line: str) -> bool:
        """Act on one line; False when the person wants to leave."""
        text = line.strip()
        if not text:
            return True
        if text.lower() in QUIT_WORDS:
            return False
        with self._turn:
            try:
                self._handle(text)
            except _Cancelled:
                self.say("Cancelled; nothing was done.")
            except Exception:  # a bug must cost one command, not the console
                log.exception("'%s' failed", text)
                self.say("That command failed inside sopbot (see the [error] line); try another.")
            finally:
                self.drain()
        return True

    def drain(self) -> None:
        """Do every piece of work that is due now (the console's clock tick), and show what
        the sandbox tools did. The background clock calls this too, between commands."""
        with self._turn:
            self.engine.run_due()
            for line in self.tool_log.new_lines():
                self.say(line)

    def close(self) -> None:
        """Let background work in hand finish, then release the engine's resources."""
        with self._turn:
            self.engine.runtime.close()

    def _handle(self, text: str) -> None:
        if text.isdigit():
            self._press(int(text))
            return
        word, _, rest = text.partition(" ")
        word, rest = word.lower(), rest.strip()
        if word == "/as":
            self._become(rest)
        elif word == "/whoami":
            self.say(f"You are {self._identity(self.user)}.")
        elif word == "/people":
            self.say(self._people_list())
        elif word == "/clock":
            self._clock(rest)
        elif word == "/sop":
            self._reply(self.service.handle(text, self.user, THREAD))
        elif word in ("/help", "help"):
            self.say(CONSOLE_HELP)
        elif word == "sop":
            self.say(f"Commands start with a slash: did you mean /{text}?")
        else:
            self.say(f"'{text}' is not a command. {SHORT_HELP}")

    def _become(self, handle: str) -> None:
        user = self.service.directory.find_user(handle) if handle else None
        if user is None:
            who = f"Nobody called '{handle}' is here." if handle else "Who? Write /as @name."
            handles = ", ".join(f"@{person.handle}" for person in self.people)
            self.say(f"{who} Try {handles}." if handles else who)
            return
        self.user = user
        self.say(f"You are now {self._identity(user)}.")

    def _identity(self, user: str) -> str:
        """``@Sam (U03SAM), Finance lead, in @finance``."""
        shown = f"@{self.service.directory.display_name(user)} ({user})"
        person = next((person for person in self.people if person.user_id == user), None)
        if person is None:
            return shown
        groups = ", ".join(f"@{group}" for group in person.groups)
        return f"{shown}, {person.title}" + (f", in {groups}" if groups else "")

    def _people_list(self) -> str:
        if not self.people:
            return "This console knows nobody by handle; use /as with a Slack user ID."
        lines = ["People here (switch with /as @handle):"]
        lines.extend(f"  {person.line()}" for person in self.people)
        return "\n".join(lines)

    def _clock(self, amount: str) -> None:
        if amount:
            if amount.startswith("-"):
                self.say("Sandbox time only moves forward, for example /clock +7d.")
                return
            try:
                self.clock.advance(parse_duration(amount.removeprefix("+")))
            except ValueError as error:
                self.say(
                    f"{error} (for example /clock +7d); the time stays {now_line(self.clock)}."
                )
                return
            self.say(
                f"Sandbox time moved on {amount.removeprefix('+')}: now {now_line(self.clock)}."
            )
            return
        self.say(f"Sandbox time: {now_line(self.clock)}.")

    def _reply(self, reply: Reply) -> None:
        """Show the answer, then put any question the command asked to the person."""
        if reply.text:
            self.say(humanise(_as_sentence(reply.text), self.service.directory))
        for question in self.chat.take_questions():
            self._reply(self.service.answer(question, self.user, self._answers(question)))

    def _answers(self, question: Question) -> dict[str, str]:
        """One prompt per field, as a Slack modal shows one input per field; blank skips."""
        return {
            field.name: answer
            for field in question.fields
            if (answer := self._question(prompt(field)))
        }

    def _question(self, prompt: str) -> str:
        try:
            return self.ask(prompt).strip()
        except (EOFError, KeyboardInterrupt):
            raise _Cancelled from None

    def _press(self, number: int) -> None:
        button = self.chat.buttons.get(number)
        if button is None:
            self.say(self._no_button(number))
        elif button.action == "approve":
            self._reply(
                self.service.execute(Command("approve", (button.value,)), self.user, THREAD)
            )
        elif button.action == "reject":
            reason = self._question("Why do you reject it? (the requester sees this): ")
            command = Command("reject", (button.value, *reason.split()))
            self._reply(self.service.execute(command, self.user, THREAD))
        elif button.action == "complete":
            self._complete(button.value)
        elif button.action == "decline":
            reason = self._question("Why can't you do it? (the next person sees this): ")
            self._reply(self.service.decline_task(button.value, self.user, reason))
        elif button.action == "choose":
            self._reply(self.service.execute(choose_command(button.value), self.user, THREAD))
        elif button.action in ALERT_ACTIONS:
            self._reply(self.service.execute(alert_command(button), self.user, THREAD))

    def _no_button(self, number: int) -> str:
        pressable = self.chat.open_buttons()
        if not pressable:
            return f"There is no button {number}: no card is waiting for a click."
        listed = ", ".join(f"[{n}] {button.label} {button.value}" for n, button in pressable)
        return (
            f"There is no button {number} (a card's buttons go away once it is decided). "
            f"Buttons you can press: {listed}."
        )

    def _complete(self, task_id: str) -> None:
        self._reply(self.service.ask_task(task_id, self.user, THREAD))


def _as_sentence(text: str) -> str:
    """Engine refusals start in lower case ("no run r-1"); a console line starts upper case,
    unless it starts with a name such as ``order_id`` or ``refund-request``."""
    first = text.split(" ", 1)[0]
    return text[:1].upper() + text[1:] if first.isalpha() and first.islower() else text


def now_line(clock: OffsetClock) -> str:
    """The sandbox time as people read it."""
    return f"{clock.now().astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
