"""A choice's card in Slack: one button per option; a click is recorded, acknowledged and
done by the worker, moving the run to the option's step; someone else's click is refused."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import views
from tests.console.test_choices import TRIAGE
from tests.slack.conftest import MakeSurface
from tests.slack.surface import Surface
from tests.slack.test_home import _opened as home_of

SUPPORT = "C02SUPPORT"


@pytest.fixture
def surface(make_surface: MakeSurface) -> Surface:
    return make_surface(TRIAGE)


def _choice(surface: Surface) -> tuple[str, dict[str, Any]]:
    surface.sender.command("run triage", user="U01MARIA")
    surface.work()
    (run,) = surface.runs()
    (card,) = surface.cards(SUPPORT, "choose#2")
    return run.id, card


def test_a_click_on_an_option_moves_the_run_to_its_step(surface: Surface) -> None:
    run_id, card = _choice(surface)
    (buttons,) = [block["elements"] for block in card["blocks"] if block["type"] == "actions"]
    assert [(b["text"]["text"], b["action_id"]) for b in buttons] == [
        ("Billing", "choose#1"),
        ("Something else", "choose#2"),
    ]

    answer = surface.sender.click(card, "choose#2", user="U02DEV", channel=SUPPORT)
    assert answer.status == 200
    surface.work()
    assert surface.run(run_id).status == "completed"
    assert views.run_detail(surface.engine.runtime.database, run_id).result == {"queue": "general"}
    (chosen,) = surface.audit("task.choose")
    assert (chosen.actor, chosen.detail["label"]) == ("U02DEV", "Something else")


def test_someone_elses_click_on_an_option_is_refused(surface: Surface) -> None:
    run_id, card = _choice(surface)
    surface.sender.click(card, "choose#1", user="U03SAM", channel=SUPPORT)
    surface.work()
    assert surface.run(run_id).status == "waiting_human"
    assert len(surface.whispers("U03SAM")) == 1
    (refused,) = surface.audit("task.choose")
    assert (refused.actor, refused.outcome) == ("U03SAM", "refused")


def test_the_home_tab_offers_a_choices_options_not_a_complete_button(surface: Surface) -> None:
    _choice(surface)
    (choice,) = surface.door.pending("U02DEV")

    view = home_of(surface, "U02DEV")
    buttons = [
        (element["text"]["text"], element["action_id"], element["value"])
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert buttons == [
        ("Billing", "choose#1", f"{choice.id}:0"),
        ("Something else", "choose#2", f"{choice.id}:1"),
    ]
