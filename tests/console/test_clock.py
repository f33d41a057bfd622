"""Sandbox time moves only as far as the engine can count: a move past that is refused in
words, the clock stays where it was, and the console keeps working."""

from __future__ import annotations

import datetime as dt
import re

from tests.console.terminal import Console

FAR_MOVES = ["+999999999d", "+99999999999d", "+9999999999999999999999w", "+36526d"]


def test_a_move_too_far_is_refused_and_the_clock_stays(console: Console) -> None:
    before = _sandbox_time(console.type("/clock"))
    for move in FAR_MOVES:
        answer = console.type(f"/clock {move}")
        assert "100 years" in answer, answer
        stays = re.search(r"the time stays (\d{4}-\d\d-\d\d \d\d:\d\d) UTC", answer)
        assert stays, answer
        # sandbox time follows the wall clock: it may have ticked into the next minute
        assert _minutes_between(before, stays[1]) <= 1, answer
        assert _minutes_between(before, _sandbox_time(console.type("/clock"))) <= 1
    assert "refund-request" in console.type("/sop list")
    assert "Sandbox time moved on 7d" in console.type("/clock +7d")


def _minutes_between(earlier: str, later: str) -> float:
    moved = dt.datetime.fromisoformat(later) - dt.datetime.fromisoformat(earlier)
    return moved.total_seconds() / 60


def _sandbox_time(output: str) -> str:
    found = re.search(r"Sandbox time: (\d{4}-\d\d-\d\d \d\d:\d\d) UTC", output)
    assert found, output
    return found[1]
