"""A human task's card in Slack: Done opens a form for the task's fields (checked while
Slack waits), Can't do a form for the reason; both are recorded and done by the worker."""

from __future__ import annotations

from typing import Any

import pytest

from tests.slack.conftest import MakeSurface
from tests.slack.signed import text_input
from tests.slack.surface import Surface

KICKOFF = """\
id: kickoff
title: Book a kickoff
owner: U01MARIA
version: 1
review: {every: 365d, last_reviewed: 2026-11-01}
mode: autonomous
trigger: {command: kickoff}
inputs:
  client: {type: string}
escalation:
  to: [U04LEE]
steps:
  - id: book
    task:
      assignee: U02DEV
      instructions: "Book the kickoff with {{ inputs.client }} and tell me the date."
      fields:
        kickoff_date: {type: date, prompt: When is the kickoff?}
      due: 5d
      on_timeout: escalate
"""
SUPPORT = "C02SUPPORT"


@pytest.fixture
def surface(make_surface: MakeSurface) -> Surface:
    return make_surface(KICKOFF)


def _task(surface: Surface) -> tuple[str, dict[str, Any]]:
    surface.sender.command("run kickoff client=Acme", user="U01MARIA")
    surface.work()
    (run,) = surface.runs()
    (card,) = surface.cards(SUPPORT, "complete")
    return run.id, card


def test_done_asks_for_the_tasks_fields_and_completes_it(surface: Surface) -> None:
    run_id, card = _task(surface)
    assert surface.run(run_id).status == "waiting_human"

    surface.sender.click(card, "complete", user="U02DEV", channel=SUPPORT)
    surface.slack.wait_for("views.open")
    form = surface.slack.views[-1]["view"]
    assert [block["block_id"] for block in form["blocks"]] == ["kickoff_date"]
    assert form["blocks"][0]["element"]["type"] == "datepicker"

    wrong = surface.sender.submit(form, {"kickoff_date": text_input("next week")}, user="U02DEV")
    assert set(wrong.json()["errors"]) == {"kickoff_date"}
    assert surface.recorded() == 1  # the command only

    date = {"type": "datepicker", "selected_date": "2026-11-30"}
    sent = surface.sender.submit(form, {"kickoff_date": date}, user="U02DEV")
    assert (sent.status, sent.body) == (200, "")
    surface.work()
    assert surface.run(run_id).status == "completed"
    (done,) = surface.audit("task.complete")
    assert done.actor == "U02DEV"


def test_cant_do_asks_why_and_the_run_goes_to_a_person(surface: Surface) -> None:
    run_id, card = _task(surface)

    surface.sender.click(card, "decline", user="U02DEV", channel=SUPPORT)
    surface.slack.wait_for("views.open")
    form = surface.slack.views[-1]["view"]
    assert form["title"]["text"] == "Can't do"

    reason = {"reason": text_input("Acme's contact is on leave until January")}
    assert surface.sender.submit(form, reason, user="U02DEV").status == 200
    surface.work()
    assert surface.run(run_id).status == "escalated"
    (declined,) = surface.audit("task.decline")
    assert (declined.actor, declined.reason) == (
        "U02DEV",
        "Acme's contact is on leave until January",
    )


def test_someone_elses_task_is_refused_without_a_form(surface: Surface) -> None:
    run_id, card = _task(surface)

    for action in ("complete", "decline"):
        surface.sender.click(card, action, user="U03SAM", channel=SUPPORT)
        surface.work()
    assert surface.slack.calls_to("views.open") == []
    assert len(surface.whispers("U03SAM")) == 2
    assert surface.run(run_id).status == "waiting_human"
