"""The inbox's answer when the work itself breaks: the person gets a reference, not a
traceback, the request is not tried again, and nothing half-done is left behind."""

from __future__ import annotations

from bot.app.commands.parser import Command
from bot.app.inbox import command_work
from handlers.slack.requests import record
from tests.slack.surface import Surface


def test_work_that_breaks_is_answered_with_a_reference_and_not_retried(
    surface: Surface,
) -> None:
    # work no surface records any more (a status without its run, as an older version
    # might have written it down): doing it raises
    command = Command("status")
    assert record(surface.door, "late", command_work(command, by="U02DEV", channel="C02SUPPORT"))
    assert not record(
        surface.door, "late", command_work(command, by="U02DEV", channel="C02SUPPORT")
    )

    surface.work()
    (reply,) = surface.whispers("U02DEV")
    assert reply.startswith("Something went wrong on our side (error ")
    assert reply.endswith("nothing was done twice.")
    assert surface.runs() == []
    assert surface.work() == 0  # the request was completed, not left to be tried again
