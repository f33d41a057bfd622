"""``/sop mode`` in Slack through the real Bolt app: asking a procedure's mode is answered
in the acknowledgement; changing it is recorded in the inbox like ``run`` and ``cancel``,
done by the worker for the owner alone, and told to the person ephemerally."""

from __future__ import annotations

from tests.slack.surface import Surface


def test_asking_the_mode_is_answered_in_the_acknowledgement(surface: Surface) -> None:
    answer = surface.sender.command("mode refund", user="U02DEV")

    assert (answer.status, answer.json()["response_type"]) == (200, "ephemeral")
    assert answer.text.startswith("refund-request runs in assist mode")
    assert "Its owner <@U01MARIA> changes it for new runs with /sop mode" in answer.text
    assert surface.recorded() == 0


def test_the_owner_changes_the_mode_through_the_inbox_and_new_runs_use_it(
    surface: Surface,
) -> None:
    form = surface.sender.command_form('mode refund shadow "new CRM under test"', user="U01MARIA")

    answer = surface.sender.send(form)
    surface.sender.send(form)  # Slack's retry of the same command records nothing more

    assert answer.text == "On it: setting refund to shadow mode. I'll tell you here when it's done."
    assert surface.recorded() == 1
    surface.work()
    assert surface.whispers("U01MARIA")[-1].startswith(
        "Refund a customer order now runs in shadow mode (it was assist)"
    )
    (changed,) = surface.audit("sop.mode")
    assert (changed.actor, changed.outcome, changed.reason) == (
        "U01MARIA",
        "changed",
        "new CRM under test",
    )
    surface.sender.command("run refund order_id=1042 reason=damaged", user="U02DEV")
    surface.work()
    assert surface.runs()[-1].mode == "shadow"
    assert "(set by" in surface.sender.command("mode refund", user="U02DEV").text


def test_someone_else_is_refused_and_the_refusal_audited(surface: Surface) -> None:
    surface.sender.command("mode refund autonomous", user="U02DEV")
    surface.work()

    assert surface.whispers("U02DEV")[-1].startswith("only the owner of refund-request")
    (refused,) = surface.audit("sop.mode")
    assert (refused.actor, refused.outcome) == ("U02DEV", "refused")
    surface.sender.command("run refund order_id=1042 reason=damaged", user="U02DEV")
    surface.work()
    assert surface.runs()[-1].mode == "assist"
