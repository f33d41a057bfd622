"""An escalation worded by the SOP still hands over what actually went wrong: the tool's own
error (secret values masked) or the rejection, beside the SOP's reason."""

from __future__ import annotations

from bot.chat.messages import Card
from bot.harness import Harness
from tests.engine.conftest import MakeHarness

LOOK_UP = """\
    id: look-up
    title: Look an order up
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: look-up}
    inputs:
      order_id: {type: string}
    escalation: {to: [U04LEE]}
    steps:
      - id: read
        action: crm.get_order
        with: {order_id: "{{ inputs.order_id }}"}
        save_as: order
        on_failure:
          then: escalate
          reason: The order could not be read
      - id: done
        end: completed
"""


def _handoff_card(harness: Harness) -> Card:
    (alert,) = [message for message in harness.chat.alerts() if message.to == "U04LEE"]
    assert alert.card is not None
    return alert.card


def test_the_card_carries_the_tool_s_error_beside_the_sop_s_reason(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(LOOK_UP)

    run = harness.start("look-up", {"order_id": "9999"})

    assert run.status == "escalated"
    assert run.reason == "The order could not be read"
    fields = dict(_handoff_card(harness).fields)
    assert fields["Why"] == "The order could not be read"
    assert fields["What happened"] == (
        "crm.get_order in read failed: no order 9999 in the sandbox CRM"
    )


def test_a_secret_value_in_the_tool_s_error_is_masked_on_the_card(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(LOOK_UP, secrets={"crm_token": "tok-5f4e3d2c1b"})

    harness.start("look-up", {"order_id": "tok-5f4e3d2c1b"})

    fields = dict(_handoff_card(harness).fields)
    assert "tok-5f4e3d2c1b" not in str(fields)
    assert fields["What happened"].endswith("no order •••• in the sandbox CRM")


def test_a_reason_the_sop_does_not_word_is_not_said_twice(make_harness: MakeHarness) -> None:
    harness = make_harness(LOOK_UP.replace("          reason: The order could not be read\n", ""))

    harness.start("look-up", {"order_id": "9999"})

    fields = dict(_handoff_card(harness).fields)
    assert "no order 9999" in fields["Why"]
    assert "What happened" not in fields
