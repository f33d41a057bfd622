"""List and object inputs: typed from command text (``a,b,c`` or JSON), a form's text box
(one item a line) and event payloads, each item and field checked as declared."""

from __future__ import annotations

import textwrap

import pytest

from bot.adapters.slack.modals import question_modal
from bot.app.questions import for_inputs
from bot.engine.errors import InvalidInputs, MissingInput
from bot.harness import Harness
from bot.procedure.loader import load_text
from tests.engine.conftest import MakeHarness

INVITE = """\
    id: invite
    title: Invite people
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: invite}
    inputs:
      emails:
        type: list
        items: email
        from: "{{ trigger.emails }}"
      customer:
        type: object
        fields:
          name: string
          seats: {type: integer, minimum: 1}
          tier: {type: choice, choices: [pro, enterprise], required: false}
    permissions:
      allow: [email.send]
    steps:
      - id: welcome
        action: email.send
        with:
          to: "{{ inputs.emails }}"
          subject: "Welcome, {{ inputs.customer.name }}"
          body: "{{ inputs.customer.seats }} seats for {{ inputs.emails[0] }}"
        on_failure: stop
      - id: done
        end: completed
"""


def _sent(harness: Harness) -> dict[str, object]:
    (call,) = harness.tool_calls("email.send")
    return call.arguments


@pytest.mark.parametrize(
    "emails",
    [
        "a@x.example, b@x.example",
        '["a@x.example", "b@x.example"]',
        "a@x.example\nb@x.example",
        ["a@x.example", "b@x.example"],
    ],
)
def test_a_list_is_given_as_commas_json_lines_or_a_list(
    make_harness: MakeHarness, emails: object
) -> None:
    harness = make_harness(INVITE)
    run = harness.start(
        "invite", {"emails": emails, "customer": '{"name": "Initech", "seats": "3"}'}
    )
    assert run.status == "completed", run.reason
    sent = _sent(harness)
    assert sent["to"] == ["a@x.example", "b@x.example"]
    assert sent["body"] == "3 seats for a@x.example"


def test_an_event_payload_carries_a_list_and_an_object(make_harness: MakeHarness) -> None:
    harness = make_harness(INVITE)
    run = harness.start(
        "invite",
        {"customer": {"name": "Globex", "seats": 2, "tier": "pro"}},
        trigger={"emails": ["c@x.example"]},
    )
    assert run.status == "completed", run.reason
    assert _sent(harness)["to"] == ["c@x.example"]


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ({"emails": "a@x.example, nope"}, "emails: item 2: 'nope' is not an email address"),
        ({"customer": '{"name": "X", "seats": 0}'}, "customer: field seats: 0 is below"),
        ({"customer": '{"name": "X", "seets": 2}'}, "customer: no field seets (its fields:"),
        ({"customer": '{"seats": 2}'}, "customer: field name is required"),
        ({"customer": "Initech"}, "customer: 'Initech' is not an object in JSON"),
        ({"customer": '{"name": "X", "seats": NaN}'}, "customer: NaN is not a finite number"),
    ],
)
def test_a_wrong_item_or_field_is_refused_saying_which(
    make_harness: MakeHarness, given: dict[str, str], problem: str
) -> None:
    harness = make_harness(INVITE)
    inputs = {"emails": "a@x.example", "customer": '{"name": "X", "seats": 1}', **given}
    with pytest.raises(InvalidInputs, match=problem.replace("(", r"\(")):
        harness.start("invite", inputs)


def test_a_form_asks_for_a_list_one_a_line_and_an_object_as_json() -> None:
    loaded = load_text(textwrap.dedent(INVITE), "sops/invite.yml")
    procedure = loaded.procedure
    assert procedure is not None
    missing = [MissingInput(name, spec) for name, spec in procedure.inputs.items()]
    question = for_inputs(
        procedure, missing, to="U02DEV", given={}, mode=None, thread={"trigger_id": "t"}
    )
    assert [field.label for field in question.fields] == [
        "emails (one a line)",
        'customer (as JSON: {"field": "value", …})',
    ]
    blocks = question_modal(question).to_dict()["blocks"]
    assert [block["element"]["multiline"] for block in blocks] == [True, True]
