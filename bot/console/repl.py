"""``sopbot run`` without Slack tokens: the interactive console on the sandbox tools."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

from bot.clock.time import OffsetClock
from bot.clock.waker import Waker
from bot.commands.service import CommandService
from bot.config import Settings
from bot.console.chat import ConsoleChat
from bot.console.session import CONSOLE_HELP, ConsoleSession, now_line
from bot.console.tool_log import ToolLog
from bot.wiring import build_engine, open_database, open_sandbox
from storage import timers

DEFAULT_USER_HANDLE = "maria"


def run_console(
    settings: Settings,
    *,
    read: Callable[[str], str] = input,
    write: Callable[[str], None] | None = None,
    background: bool = True,
) -> int:
    """Open the console and serve until /quit or end of input."""
    lock = threading.Lock()

    def say(text: str) -> None:
        with lock:
            (write or _print)(text)

    clock = OffsetClock()
    database = open_database(settings)
    sandbox = open_sandbox(database, clock)
    chat = ConsoleChat(sandbox.directory, say)
    engine = build_engine(
        settings, database, chat, clock, tools=sandbox.tools, directory=sandbox.directory
    )
    service = CommandService(engine, sandbox.directory)
    user = sandbox.directory.find_user(DEFAULT_USER_HANDLE) or "U01MARIA"
    tool_log = ToolLog(database)
    tool_log.skip_existing()
    session = ConsoleSession(engine, service, chat, clock, read, say, user, tool_log)
    say(
        f"sopbot console · {len(engine.runtime.library.procedures)} procedures · sandbox tools · {now_line(clock)}"
    )
    say(f"You are @{sandbox.directory.display_name(user)}. {CONSOLE_HELP}")
    for diagnostic in engine.runtime.library.diagnostics:
        if diagnostic.severity == "error":
            say(f"skipped: {diagnostic.render()}")

    def next_due() -> object:
        with database.session() as db_session:
            return timers.next_due_at(db_session)

    waker = Waker(engine.run_due, next_due, clock.now, sweep_seconds=2.0) if background else None  # type: ignore[arg-type]
    if waker:
        waker.start()
    try:
        session.drain()
        while True:
            try:
                line = read(f"{sandbox.directory.display_name(session.user).lower()}> ")
            except (EOFError, KeyboardInterrupt):
                break
            if not session.handle(line):
                break
            if waker:
                waker.wake()
    finally:
        if waker:
            waker.stop()
        engine.runtime.close()
    say("Bye.")
    return 0


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
