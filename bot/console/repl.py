"""``sopbot run`` without Slack tokens: the interactive console on the sandbox tools."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from bot.app.commands.service import CommandService
from bot.app.door import FrontDoor
from bot.catalogue.registry import CatalogueError
from bot.clock.time import OffsetClock
from bot.clock.waker import Waker
from bot.config import Settings
from bot.console.chat import ConsoleChat
from bot.console.logs import errors_as_lines
from bot.console.people import sandbox_people
from bot.console.session import SHORT_HELP, ConsoleSession, now_line
from bot.console.terminal import Terminal
from bot.console.tool_log import ToolLog
from bot.directory import Directory
from bot.engine.engine import Engine
from bot.wiring import Sopbot, assemble
from storage import timers
from storage.database import Database

DEFAULT_USER_HANDLE = "maria"
SWEEP_SECONDS = 2.0


def run_console(
    settings: Settings,
    *,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] | None = None,
    background: bool = True,
) -> int:
    """Open the console and serve until /quit or end of input; the exit code.

    2 when the SOP folder is missing or a setting or connector cannot be used, 1 when the
    database cannot be opened.
    """
    show_line = write or _print
    complain = write or _print_error
    if not settings.sops_dir.is_dir():
        complain(f"sopbot: no SOP folder at {settings.sops_dir} (set --sops or SOPBOT_SOPS_DIR)")
        return 2
    clock = OffsetClock()
    screen = _Screen(show_line, _print_prompt if write is None else _ignore, read)
    try:
        sopbot = assemble(settings, clock=clock, chat=screen.open)
    except CatalogueError as error:
        complain(f"sopbot: {error} (check SOPBOT_CONNECTORS and installed connector packages)")
        return 2
    except ValueError as error:
        complain(f"sopbot: {error}")
        return 2
    except (SQLAlchemyError, OSError) as error:
        complain(f"sopbot: cannot open the database: {_first_line(error)}")
        return 1
    engine, terminal, chat = sopbot.engine, screen.terminal, screen.chat
    user = sopbot.directory.find_user(DEFAULT_USER_HANDLE) or "U01MARIA"
    session = ConsoleSession(
        engine,
        CommandService(FrontDoor(engine, sopbot.directory, chat)),
        chat,
        clock,
        terminal.read,
        terminal.show,
        user,
        terminal.tool_log,
        people=sandbox_people(sopbot.database),
    )
    _greet(session, settings, _tools_line(sopbot), terminal.show)
    with errors_as_lines(terminal.show):
        _serve(session, terminal, clock, background=background)
    terminal.show("Bye.")
    return 0


def _greet(
    session: ConsoleSession, settings: Settings, tools: str, say: Callable[[str], None]
) -> None:
    library = session.engine.runtime.library
    say(
        f"sopbot console · {len(library.procedures)} procedures from {settings.sops_dir} · "
        f"{tools} · sandbox time {now_line(session.clock)}"
    )
    for diagnostic in library.diagnostics:
        if diagnostic.severity == "error":
            say(f"skipped: {diagnostic.render()}")
    say(f"You are @{session.service.directory.display_name(session.user)}. {SHORT_HELP}")


def _tools_line(sopbot: Sopbot) -> str:
    """``sandbox tools``, naming the namespaces configured onto connectors of their own."""
    own = sorted(
        namespace
        for namespace, connector in sopbot.runtime.connectors.items()
        if connector is not sopbot.sandbox
    )
    return "sandbox tools" + (f" (own connectors: {', '.join(own)})" if own else "")


@dataclass
class _Screen:
    """The console's terminal and chat, set up once sopbot's database and directory exist."""

    print_line: Callable[[str], None]
    print_prompt: Callable[[str], None]
    read_line: Callable[[str], str]
    terminal: Terminal = field(init=False)
    chat: ConsoleChat = field(init=False)

    def open(self, database: Database, directory: Directory) -> ConsoleChat:
        """The chat port ``bot.wiring`` asks for; the sandbox's earlier writes stay unshown."""
        tool_log = ToolLog(database, directory=directory)
        tool_log.skip_existing()
        self.terminal = Terminal(self.print_line, self.print_prompt, self.read_line, tool_log)
        self.chat = ConsoleChat(directory, self.terminal.show)
        return self.chat


def _serve(
    session: ConsoleSession, terminal: Terminal, clock: OffsetClock, *, background: bool
) -> None:
    """Read and handle lines; the background clock does work that falls due meanwhile."""
    engine = session.engine

    def due_in_background() -> None:
        session.drain()
        terminal.restore_prompt()

    waker = (
        Waker(due_in_background, lambda: _next_due(engine), clock.now, sweep_seconds=SWEEP_SECONDS)
        if background
        else None
    )
    try:
        session.drain()
        if waker:
            waker.start()
        while True:
            directory = session.service.directory
            try:
                line = terminal.read(f"{directory.display_name(session.user).lower()}> ")
                if not session.handle(line):
                    break
            except EOFError:
                break
            except KeyboardInterrupt:
                terminal.show("(Interrupted. Ctrl-D or /quit leaves the console.)")
                continue
            if waker:
                waker.wake()  # sets the alarm for whatever the command scheduled
    finally:
        if waker:
            waker.stop()
        session.close()


def _next_due(engine: Engine) -> dt.datetime | None:
    with engine.runtime.database.session(read_only=True) as db_session:
        return timers.next_claimable_at(db_session)


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _print_error(text: str) -> None:
    sys.stderr.write(text + "\n")


def _print_prompt(prompt: str) -> None:
    sys.stdout.write(prompt)
    sys.stdout.flush()


def _ignore(_text: str) -> None:
    """Where a re-shown prompt goes when the caller reads lines itself."""


def _first_line(error: BaseException) -> str:
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
