"""``/sop`` in Slack through the real Bolt app: reads answered in the acknowledgement,
changes recorded and answered by the worker to the person alone, a run missing inputs
asked for in a form whose wrong values are shown in the form."""

from __future__ import annotations

from storage.database import Database
from tests.slack.signed import text_input
from tests.slack.surface import Surface


def _started(surface: Surface, user: str = "U02DEV") -> str:
    surface.sender.command("run refund order_id=1042 reason=damaged", user=user)
    surface.work()
    return surface.runs()[-1].id


def test_reads_are_answered_in_the_acknowledgement_to_the_caller_alone(surface: Surface) -> None:
    run_id = _started(surface)
    recorded = surface.recorded()

    def ask(text: str, user: str = "U02DEV") -> str:
        answer = surface.sender.command(text, user=user)
        assert (answer.status, answer.json()["response_type"]) == (200, "ephemeral")
        return answer.text

    assert "/sop run NAME key=value" in ask("help")
    assert "/sop run NAME key=value" in ask("")
    assert "refund-request" in ask("list")
    assert "Refund a customer order  [refund-request, version 1]" in ask("show refund")
    assert f"Run {run_id} · refund-request · waiting_approval" in ask(f"status {run_id}")
    assert run_id in ask("history")
    assert run_id in ask("history refund")
    assert run_id in ask("pending")
    assert run_id in ask("approvals", user="U03SAM")
    assert ask("approvals", user="U02DEV") == "Nothing is waiting for a decision."
    assert surface.recorded() == recorded  # reads change nothing and are not recorded


def test_bad_text_and_unknown_names_get_help_in_the_acknowledgement(surface: Surface) -> None:
    for text, expected in [
        ("frobnicate", "unknown command 'frobnicate'"),
        ("rnu refund", "did you mean /sop run?"),
        ('run refund reason="arrived broken', "a quote is not closed"),
        ("cancel", "'cancel' needs more: /sop cancel RUN reason"),
        ("run nosuch order_id=1", "nosuch"),
        ("status r-0000000000", "r-0000000000"),
        ("show nosuch", "nosuch"),
    ]:
        answer = surface.sender.command(text, user="U02DEV")
        assert answer.status == 200
        assert expected in answer.text, text
    assert "/sop list" in surface.sender.command("frobnicate", user="U02DEV").text
    assert surface.recorded() == 0
    assert surface.runs() == []


def test_a_run_with_wrong_inputs_is_answered_with_the_procedures_usage(surface: Surface) -> None:
    answer = surface.sender.command("run refund order_id=abc reason=damaged", user="U02DEV")
    assert answer.text.startswith("On it: starting refund")
    surface.work()
    (reply,) = surface.whispers("U02DEV")
    assert "order_id" in reply
    assert (
        "Usage: /sop run refund order_id=&lt;string&gt; reason=&lt;text&gt;" in reply
    )  # Slack's escapes
    assert surface.runs() == []


def test_cancel_is_recorded_and_only_those_who_may_cancel_can(surface: Surface) -> None:
    run_id = _started(surface)

    refused = surface.sender.command(f"cancel {run_id} not mine", user="U03SAM")
    assert refused.text == f"On it: cancelling run {run_id}. I'll tell you here when it's done."
    surface.work()
    assert surface.run(run_id).status == "waiting_approval"
    assert run_id in surface.whispers("U03SAM")[-1]

    surface.sender.command(f"cancel {run_id} customer changed their mind", user="U02DEV")
    surface.work()
    assert surface.run(run_id).status == "cancelled"
    assert "ancel" in surface.whispers("U02DEV")[-1]
    (cancelled,) = [e for e in surface.audit("run.cancel") if e.outcome != "refused"]
    assert cancelled.actor == "U02DEV"


def test_a_run_missing_inputs_opens_a_form_and_bad_values_are_shown_in_it(
    surface: Surface,
) -> None:
    answer = surface.sender.command("run refund reason=damaged", user="U02DEV")
    assert answer.text == "A form for Refund a customer order is opening."
    (opened,) = surface.slack.wait_for("views.open")
    form = surface.slack.views[-1]["view"]
    assert form["callback_id"] == "sopbot_question"
    asked = [block["block_id"] for block in form["blocks"]]
    assert asked == ["order_id"]  # reason was given; amount is optional

    wrong = surface.sender.submit(form, {"order_id": text_input("abc")}, user="U02DEV")
    assert wrong.json() == {
        "response_action": "errors",
        "errors": {"order_id": "'abc' does not have the expected form"},
    }
    surface.work()
    assert surface.runs() == []
    assert surface.recorded() == 0

    for _ in range(2):  # sent again (a double click on Start): started once
        right = surface.sender.submit(form, {"order_id": text_input("1042")}, user="U02DEV")
        assert (right.status, right.body) == (200, "")
    surface.work()
    (run,) = surface.runs()
    assert run.inputs["order_id"] == "1042"
    assert run.inputs["reason"] == "damaged"
    assert (run.thread or {}).get("to") == "C02SUPPORT"
    assert surface.whispers("U02DEV")[-1].startswith("Started Refund a customer order")
    assert opened.args["trigger_id"]


def test_a_request_that_cannot_be_recorded_is_answered_with_an_apology_in_time(
    surface: Surface,
) -> None:
    """The database is out: the ack still comes (no "didn't respond" after three seconds),
    says plainly that nothing was done, and nothing is recorded or started."""
    runtime = surface.engine.runtime
    working = runtime.database
    runtime.database = Database("postgresql://postgres@127.0.0.1:1/unreachable")
    try:
        answer = surface.sender.command("run refund order_id=1042 reason=damaged", user="U02DEV")
    finally:
        runtime.database.dispose()
        runtime.database = working

    assert answer.status == 200
    assert answer.json()["response_type"] == "ephemeral"
    assert "Nothing was done: try again in a moment." in answer.text
    assert surface.recorded() == 0
    surface.work()
    assert surface.runs() == []
