"""``/sop <what you need>`` through the front door on the real engine: a clear request starts
its procedure with the inputs it names and asks for the rest; an unclear one lists the best
guesses with the exact command for each; one nothing fits is told so. Verbs and their typos
keep working as before."""

from __future__ import annotations

import pytest

from bot.app.commands.parser import Command, UsageError, parse
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


def test_asking_to_see_a_procedure_shows_it_and_starts_nothing(harness: Harness) -> None:
    service = CommandService(door_of(harness))

    reply = service.handle("/sop show me the refund procedure", "U02DEV")

    assert reply.ok
    assert reply.text == service.handle("/sop show refund", "U02DEV").text
    assert "Refund a customer order" in reply.text
    assert door_of(harness).history() == []
    assert harness.chat.questions == []


@pytest.mark.parametrize(
    "words",
    [
        "/sop \uff53\uff48\uff4f\uff57 me the refund procedure",  # show, in full-width letters
        "/sop please show me the refund procedure",
        "/sop Please, describe the refund procedure",
    ],
)
def test_asking_to_see_in_other_letters_or_politely_shows_it(harness: Harness, words: str) -> None:
    service = CommandService(door_of(harness))

    reply = service.handle(words, "U02DEV")

    assert reply.text == service.handle("/sop show refund", "U02DEV").text
    assert door_of(harness).history() == []
    assert harness.chat.questions == []


def test_asking_to_see_an_unclear_one_lists_what_to_show(harness: Harness) -> None:
    reply = CommandService(door_of(harness)).handle(
        "/sop show me what the pto process does", "U02DEV"
    )

    lines = reply.text.splitlines()
    assert lines[0] == "Which one did you mean?"
    assert any(line.endswith(": /sop show pto") for line in lines[1:])
    assert all("/sop run" not in line for line in lines)
    assert door_of(harness).history() == []


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


@pytest.mark.parametrize(
    "words",
    [
        "help me with order 1042",
        "show me the refund procedure",
        "status of my refund please",
        "list what I can do here",
        "pending approvals for finance today",
        "complete the form for order 1042",
        "show me what's waiting",  # an apostrophe is no quote left open
    ],
)
def test_a_verb_followed_by_more_words_than_it_takes_is_a_request(words: str) -> None:
    """Three or more words with more positional words than the verb takes are the person's
    own words, in /sop and in a mention alike."""
    assert parse(f"/sop {words}") == Command("route", (words,))
    assert parse(words) == Command("route", (words,))


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            'run refund order_id=1042 reason="a b"',
            Command("run", ("refund",), {"order_id": "1042", "reason": "a b"}),
        ),
        (
            "run refund --mode=shadow order_id=1042",
            Command("run", ("refund", "--mode=shadow"), {"order_id": "1042"}),
        ),
        ("show refund", Command("show", ("refund",))),
        ("help me", Command("help", ("me",))),  # two words: still the command
        (
            "approve a-1 looks right to me",
            Command("approve", ("a-1", "looks", "right", "to", "me")),
        ),
        ("reject a-1 far too expensive", Command("reject", ("a-1", "far", "too", "expensive"))),
        (
            "cancel r-1 the customer withdrew",
            Command("cancel", ("r-1", "the", "customer", "withdrew")),
        ),
        ("choose c-1 keep it as is", Command("choose", ("c-1", "keep", "it", "as", "is"))),
        ("mode refund shadow new CRM", Command("mode", ("refund", "shadow", "new", "CRM"))),
        (
            "complete t-1 done=yes note=ok",
            Command("complete", ("t-1",), {"done": "yes", "note": "ok"}),
        ),
    ],
)
def test_a_verb_with_what_it_takes_stays_a_command(words: str, expected: Command) -> None:
    """A reason or a label takes any number of words; key=value and --mode are not
    positional."""
    assert parse(f"/sop {words}") == expected


def test_a_value_whose_quote_is_not_closed_is_still_a_command_told_how_to_fix() -> None:
    with pytest.raises(UsageError, match='a quote is not closed; put a closing "'):
        parse('/sop run refund order_id=1042 reason="arrived broken')


def test_help_followed_by_a_request_routes_the_request(harness: Harness) -> None:
    """``help me, my order …`` asks for the refund, not for /sop's usage."""
    reply = CommandService(door_of(harness)).handle(
        "/sop help me, my order 1042 arrived broken, I want my money back", "U02DEV"
    )
    assert reply.text.startswith("That sounds like Refund a customer order"), reply.text
    (question,) = harness.chat.questions
    assert question.subject == "refund-request"
