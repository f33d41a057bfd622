"""`/sop choose CHOICE OPTION`: a person picks an option by the number its card shows, or by
its label, as the option's button does; a number or label that names no option gets the
options listed."""

from __future__ import annotations

import pytest

from bot.app.commands.parser import UsageError, choose_command, parse
from bot.app.commands.service import CommandService
from tests.app.door import door_of
from tests.engine.conftest import MakeHarness
from tests.engine.test_choices import REVIEW


def test_a_typed_number_or_label_picks_the_option(make_harness: MakeHarness) -> None:
    harness = make_harness(REVIEW)
    service = CommandService(door_of(harness))
    first = harness.start("review", {"order_id": "1042"})
    second = harness.start("review", {"order_id": "1042"})
    (one,), (two,) = harness.pending(first.id), harness.pending(second.id)

    wrong = service.handle(f"/sop choose {one.id} 3", "U02DEV")
    assert not wrong.ok
    assert "has no option number 3; pick one of: 1. Refund it; 2. Keep it" in wrong.text

    assert (
        service.handle(f"/sop choose {one.id} 2", "U02DEV").text == f"Chose “Keep it” for {one.id}."
    )
    reply = service.handle(f'/sop choose {two.id} "refund it"', "U02DEV")
    assert reply.text == f"Chose “Refund it” for {two.id}."
    harness.engine.run_due()
    assert (harness.run(first.id).status, harness.run(second.id).status) == ("completed",) * 2
    assert len(harness.tool_calls("crm.refund")) == 1


def test_an_option_button_is_the_command_numbered_as_the_card_shows() -> None:
    assert choose_command("a-1a2b3c4d5e:0") == parse("/sop choose a-1a2b3c4d5e 1")
    with pytest.raises(UsageError, match=r"'choose' needs more: /sop choose CHOICE OPTION"):
        parse("/sop choose a-1a2b3c4d5e")
