"""Starting the console with something wrong says what to fix, and news that arrives while
the person is typing does not swallow their prompt."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.console.repl import run_console
from bot.console.terminal import Terminal
from bot.console.tool_log import ToolLog
from storage.database import Database
from tests.console.terminal import REPO


def no_input(_prompt: str) -> str:
    raise EOFError


def test_a_missing_sop_folder_is_named_and_nothing_starts(tmp_path: Path) -> None:
    said: list[str] = []
    settings = Settings(sops_dir=tmp_path / "no-such-folder", database_url="sqlite://")

    assert run_console(settings, read=no_input, write=said.append, background=False) == 2
    assert said == [
        f"sopbot: no SOP folder at {tmp_path / 'no-such-folder'} (set --sops or SOPBOT_SOPS_DIR)"
    ]


def test_an_unusable_database_url_is_refused_in_words(tmp_path: Path) -> None:
    said: list[str] = []
    settings = Settings(sops_dir=REPO / "sops", database_url="mysql://db.example/sopbot")

    assert run_console(settings, read=no_input, write=said.append, background=False) == 2
    assert said == [
        "sopbot: unsupported database 'mysql' in 'mysql://db.example/sopbot': "
        "sopbot runs on SQLite or PostgreSQL"
    ]


def test_news_while_typing_goes_below_the_prompt_and_the_prompt_comes_back(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'sopbot.db'}")
    database.upgrade()
    screen: list[str] = []

    def person_typing(prompt: str) -> str:
        screen.append(prompt)  # what input() shows
        terminal.show("[DM @Sam] Reminder: approval a-1 is waiting for you")
        terminal.restore_prompt()
        return "/whoami"

    terminal = Terminal(
        print_line=lambda text: screen.append(text + "\n"),
        print_prompt=screen.append,
        read_line=person_typing,
        tool_log=ToolLog(database),
    )

    assert terminal.read("sam> ") == "/whoami"
    assert "".join(screen) == ("sam> \n[DM @Sam] Reminder: approval a-1 is waiting for you\nsam> ")
    database.dispose()
