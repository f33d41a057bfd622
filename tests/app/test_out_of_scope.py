"""A request nothing fits is told so, quoting a short and inert excerpt of it: a pasted
document comes back as one line, not as a dozen thread replies, and people named in it are
not pinged by the answer."""

from __future__ import annotations

from bot.app.commands.service import CommandService
from bot.app.door import QUOTED
from tests.app.door import door_of
from tests.engine.conftest import MakeHarness, refund_sop


def test_a_long_request_nothing_fits_is_quoted_short_and_inert(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(refund_sop())
    pasted = "<@U03SAM> <!subteam^S01FINANCE> what's the wifi password? " + "la " * 13_000

    reply = CommandService(door_of(harness)).handle(f"/sop {pasted}", "U02DEV")

    assert not reply.ok
    quoted = reply.text.removeprefix("None of the procedures you can start fits '")
    quoted, rest = quoted.split("'. ", 1)
    assert rest == "/sop list shows them; /sop run NAME starts one."
    assert len(quoted) <= QUOTED
    assert quoted.startswith("@U03SAM @S01FINANCE what's the wifi password? la la")
    assert quoted.endswith("…")
    assert "<@" not in reply.text
    assert "<!" not in reply.text


def test_a_short_request_nothing_fits_is_quoted_whole(make_harness: MakeHarness) -> None:
    harness = make_harness(refund_sop())

    reply = CommandService(door_of(harness)).handle("/sop what's the wifi password", "U02DEV")

    assert "fits 'what's the wifi password'. " in reply.text
