"""``/sop <what you need>`` through the front door on the real engine: a clear request starts
its procedure with the inputs it names and asks for the rest; an unclear one lists the best
guesses with the exact command for each; one nothing fits is told so. Verbs and their typos
keep working as before."""

from __future__ import annotations

import pytest

from bot.app.commands.service import CommandService
from bot.harness import Harness
from storage import audit
from tests.app.door import door_of

REFUND_TEXT = "/sop my order 1042 arrived broken, I want my money back"


def test_a_clear_request_starts_its_procedure_and_asks_only_what_is_missing(
    harness: Harness,
) -> None:
    service = CommandService(door_of(harness))
    reply = service.handle(REFUND_TEXT, "U02DEV")
    assert reply.ok
    assert reply.text == "That sounds like Refund a customer order: /sop run refund order_id=1042"
    (question,) = harness.chat.questions
    assert [field.name for field in question.fields] == ["reason"], "order_id was in the text"

    started = service.answer(question, "U02DEV", {"reason": "arrived broken"})
    assert started.text.startswith("Started Refund a customer order as run r-")
    (summary,) = door_of(harness).history()
    run = harness.run(summary.id)
    assert (run.sop_id, run.started_by) == ("refund-request", "U02DEV")
    assert (run.inputs["order_id"], run.inputs["reason"]) == ("1042", "arrived broken")


def test_an_unclear_request_lists_the_best_guesses_and_starts_nothing(harness: Harness) -> None:
    reply = CommandService(door_of(harness)).handle(
        "/sop the shipment arrived broken and the customer wants their money back", "U02DEV"
    )
    assert not reply.ok
    lines = reply.text.splitlines()
    assert lines[0] == "Which one did you mean? Copy its line to start it:"
    assert len(lines) == 4
    assert {line.split(". ", 1)[1] for line in lines[1:3]} == {
        "Refund a customer order: /sop run refund",
        "File and follow up a freight claim: /sop run freight-claim",
    }
    assert door_of(harness).history() == []
    assert harness.chat.questions == []


def test_a_request_nothing_fits_is_told_so_with_the_list_command(harness: Harness) -> None:
    reply = CommandService(door_of(harness)).handle("/sop what's the wifi password", "U02DEV")
    assert not reply.ok
    assert reply.text == (
        "None of the procedures you can start fits 'what's the wifi password'. "
        "/sop list shows them; /sop run NAME starts one."
    )
    assert door_of(harness).history() == []


@pytest.mark.parametrize("who", ["S01FINANCE", "U09NOBODY"])
def test_someone_not_of_this_workspace_is_refused_before_anything_is_routed(
    harness: Harness, who: str
) -> None:
    """A group, or a guest from another organisation, is told why nothing starts (not that
    nothing fits), and the refused start is audited with the request."""
    reply = CommandService(door_of(harness)).handle(REFUND_TEXT, who)
    assert not reply.ok
    assert reply.text.startswith(f"{who} is not a person of this workspace")
    assert "only people in the directory start procedures" in reply.text
    assert door_of(harness).history() == []
    with harness.database.session() as session:
        (refusal,) = [event for event in audit.recent(session) if event.action == "run.start"]
    assert (refusal.actor, refusal.outcome) == (who, "refused")
    assert refusal.detail == {"request": REFUND_TEXT.removeprefix("/sop ")}


def test_verbs_and_their_typos_are_not_routed(harness: Harness) -> None:
    service = CommandService(door_of(harness))
    assert "did you mean /sop list?" in service.handle("/sop lsit", "U02DEV").text
    assert "did you mean /sop run?" in service.handle("/sop rnu refund", "U02DEV").text
    assert "unknown command 'frobnicate'" in service.handle("/sop frobnicate", "U02DEV").text
    assert "refund-request" in service.handle("/sop list", "U02DEV").text
    assert door_of(harness).history() == []
