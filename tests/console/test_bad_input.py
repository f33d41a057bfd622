"""Whatever a person types, the console answers in words and keeps running: mistakes,
missing inputs (asked for), a rejection (asked why), a cancelled question. Ctrl-D leaves."""

from __future__ import annotations

from tests.console.terminal import Console, button

CLEAR_ANSWERS = {
    "/frobnicate": "'/frobnicate' is not a command. Type /help",
    "sop list": "Commands start with a slash: did you mean /sop list?",
    "/sop frobnicate": "Unknown command 'frobnicate'",
    "/sop statsu": "(did you mean /sop status?)",
    '/sop run refund order_id=1042 reason="arrived broken': "a quote is not closed",
    "/sop run nosuch": "No procedure called 'nosuch' (known: bug-escalation,",
    "/sop run refund order_id=abc reason=x": "order_id: 'abc' does not have the expected form",
    "42": "There is no button 42: no card is waiting for a click.",
    "/as @nobody": "Nobody called '@nobody' is here. Try @maria, @dev, @sam",
    "/clock -3d": "Sandbox time only moves forward",
    "/clock soon": "'soon' is not a duration",
    "/sop status r-0000000000": "No run r-0000000000",
    "/sop approve a-0000000000": "No approval a-0000000000",
}
ORDER_QUESTION = "Which order should be refunded? (the order number, for example 1042): "
REASON_QUESTION = "Why does the customer get a refund?: "


def test_bad_input_gets_a_clear_answer_and_the_console_keeps_running(console: Console) -> None:
    for line, answer in CLEAR_ANSWERS.items():
        assert answer in console.type(line), line
    assert "You are @Maria (U01MARIA), Ops lead" in console.type("/whoami")
    assert "No runs yet." in console.type("/sop history")

    console.type_until("/sop run refund", ORDER_QUESTION)
    console.type_until("1043", REASON_QUESTION)
    started = console.type("arrived late")
    assert "Started Refund a customer order as run r-" in started
    assert "Confirm: refund (part of) an order (refund)" in started

    console.type_until(
        button(started, "Reject"), "Why do you reject it? (the requester sees this): "
    )
    rejected = console.type("customer kept the goods")
    assert "Rejected by @Maria at" in rejected
    assert "customer kept the goods" in rejected
    assert "[sandbox] crm.refund" not in rejected

    console.type_until("/sop run refund order_id=1043", REASON_QUESTION)
    assert "Nothing was started: reason still needs an answer." in console.type("")
    console.type_until("/sop run refund", ORDER_QUESTION)
    console.child.sendeof()
    assert "Cancelled; nothing was done." in console.read_until_prompt()
    assert console.type("/sop history").count("refund-request") == 1

    assert "Bye." in console.end_input()
    assert console.exit_status() == 0
