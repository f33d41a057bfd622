"""``sopbot worker``: does the due work and exits (``--once``), stops cleanly on SIGTERM in
the middle of work, and answers bad input with one line and an exit code."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock.time import SystemClock
from storage.database import Database
from storage.models import StepRecord, Timer
from tests.promises.desk import Desk
from tests.promises.fleet import exit_code, start_sopbot, wait_until
from tests.promises.ledger import progress, stuck
from tests.promises.worker_process import SOPS_DIR

UNREACHABLE_POSTGRES = "postgresql://postgres@127.0.0.1:1/sopbot"


def _worker_argv(url: str, *extra: str) -> list[str]:
    return ["worker", "--database", url, "--sops", str(SOPS_DIR), *extra]


def test_once_does_what_is_due_and_exits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sopbot.db'}"
    desk = Desk(url, SystemClock())
    try:
        run = desk.engine.start("promise-mix", {}, inline=False, thread={"to": "C02SUPPORT"})
        argv = [sys.executable, "-m", "bot.cli.app", *_worker_argv(url, "--once")]
        finished = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)

        assert finished.returncode == 0, finished.stderr
        assert f"to C02SUPPORT: Started Promise mix · run {run.id} (autonomous)" in finished.stderr
        assert "Traceback" not in finished.stderr
        with desk.engine.runtime.database.session(read_only=True) as session:
            journal = session.scalars(
                select(StepRecord.step_id)
                .where(StepRecord.run_id == run.id)
                .order_by(StepRecord.id)
            )
            assert list(journal) == ["look_up", "announce"], "it ran up to the five-minute wait"
    finally:
        desk.close()


def test_sigterm_lets_the_timer_in_hand_finish_then_exits_0(
    database: Database, tmp_path: Path
) -> None:
    url = database.url.render_as_string(hide_password=False)
    desk = Desk(url, SystemClock())
    desk.start_runs(30, random.Random(0))
    desk.close()
    output = tmp_path / "worker.log"
    worker = start_sopbot(_worker_argv(url, "--worker-id", "busy"), output)
    busy = lambda: progress(database) >= 5 or worker.exitcode is not None  # noqa: E731
    assert wait_until(busy, timeout=60, pause=worker.join), output.read_text()
    assert worker.exitcode is None, output.read_text()
    worker.terminate()

    assert exit_code(worker) == 0, output.read_text()
    assert "worker busy stopped after" in output.read_text()
    with database.session(read_only=True) as session:
        held = session.scalars(
            select(Timer.id).where(Timer.claimed_by == "busy", Timer.status == "claimed")
        )
        assert list(held) == [], "it left a timer claimed"
        cut_off = session.scalars(select(StepRecord.id).where(StepRecord.status == "started"))
        assert list(cut_off) == [], "it left a call unfinished"
    assert stuck(database) == []


@pytest.mark.parametrize(
    ("argv", "env", "code", "message"),
    [
        (["worker", "--database", "mysql://db/sopbot"], {}, 2, "unsupported database 'mysql'"),
        (["worker", "--sops", "no/such/folder"], {}, 2, "no SOP folder at no/such/folder"),
        (["worker", "--poll", "0"], {}, 2, "give a number of seconds above 0"),
        (["worker"], {"SOPBOT_LEASE_SECONDS": "1"}, 2, "SOPBOT_LEASE_SECONDS: Input should be"),
        (["worker", "--database", UNREACHABLE_POSTGRES], {}, 1, "cannot open the database"),
    ],
    ids=[
        "unknown database",
        "no SOP folder",
        "no poll interval",
        "lease too short",
        "database down",
    ],
)
def test_bad_input_gets_one_clear_line(
    argv: list[str], env: dict[str, str], code: int, message: str, tmp_path: Path
) -> None:
    output = tmp_path / "output"
    assert exit_code(start_sopbot(argv, output, env)) == code
    printed = output.read_text()
    assert message in printed
    assert "Traceback" not in printed
