"""Questions in the console: the front door asks through the console's chat, the console
prompts for each answer and hands them back; leaving a question changes nothing."""

from __future__ import annotations

from tests.console.terminal import Console, button

CLAIM_QUESTION = "Which claim? (for example CL-7001): "
EVIDENCE_QUESTION = "Link to the evidence folder: "


def test_a_task_question_left_with_ctrl_d_can_be_answered_later(console: Console) -> None:
    console.type_until("/sop run freight-claim", CLAIM_QUESTION)
    started = console.type("CL-7002")
    complete = button(started, "Done")
    console.type("/as @ana")

    console.type_until(complete, EVIDENCE_QUESTION)
    console.child.sendeof()
    assert "Cancelled; nothing was done." in console.read_until_prompt()
    assert "task" in console.type("/sop pending")

    console.type_until(complete, EVIDENCE_QUESTION)
    console.type_until("https://files.example/cl-7002", "Bill of lading number: ")
    console.type_until("BOL-5531", "What was damaged or lost?: ")
    assert "Completed a-" in console.type("Pallet crushed")


def test_a_start_question_asks_only_what_is_missing(console: Console) -> None:
    before = console.type_until("/sop run freight-claim --mode=shadow", CLAIM_QUESTION)
    assert "Started" not in before, "nothing starts before the answers"
    started = console.type("CL-7002")
    assert "Started File and follow up a freight claim as run r-" in started
    assert "(shadow mode:" in started, "the mode asked for went through the question"
