"""``slack.create_channel`` and ``slack.invite`` in the connected workspace: a channel made
and joined for an incident, made once however often the step runs, and Slack's refusals
as lines that say what to change."""

from __future__ import annotations

from tests.connectors.slack.conftest import Open
from tests.slack.fake_web_api import BOT_USER, FakeSlack, Fault

INCIDENT = """\
id: incident
title: Open an incident room
owner: U01MARIA
version: 1
review: {every: 365d, last_reviewed: 2026-11-01}
mode: autonomous
trigger: {command: incident}
inputs:
  name: {type: string}
permissions:
  allow: [slack.create_channel, slack.invite, slack.post]
escalation:
  to: [U03SAM]
steps:
  - id: room
    action: slack.create_channel
    with: {name: "{{ inputs.name }}"}
    save_as: room
    on_failure: {then: escalate, reason: "No room {{ inputs.name }}"}
  - id: people
    action: slack.invite
    with: {channel: "{{ room.channel }}", users: [U01MARIA, U02DEV]}
    on_failure: {then: escalate}
  - id: hello
    action: slack.post
    with: {channel: "#{{ inputs.name }}", text: "Incident room for {{ inputs.name }}"}
    on_failure: {then: escalate}
  - id: done
    end: completed
"""


def _room(slack: FakeSlack, name: str) -> str:
    (found,) = [cid for cid, known in slack.channels.items() if known == name]
    return found


def test_an_incident_room_is_made_its_people_invited_and_greeted(
    open_sopbot: Open, slack: FakeSlack
) -> None:
    live = open_sopbot(INCIDENT)

    run = live.start({"name": "inc-42"}, name="incident")

    assert run.status == "completed", run.reason
    room = _room(slack, "inc-42")
    assert slack.creators[room] == BOT_USER
    assert {"U01MARIA", "U02DEV"} <= slack.members[room]
    assert [m["text"] for m in slack.posted(room)] == ["Incident room for inc-42"]


def test_running_it_again_reuses_sopbots_room_and_its_people_are_no_error(
    open_sopbot: Open, slack: FakeSlack
) -> None:
    live = open_sopbot(INCIDENT)
    assert live.start({"name": "inc-43"}, name="incident").status == "completed"

    again = live.start({"name": "inc-43"}, name="incident")

    assert again.status == "completed", again.reason
    assert list(slack.channels.values()).count("inc-43") == 1
    assert [call.args["name"] for call in slack.calls_to("conversations.create")] == ["inc-43"] * 2


def test_a_name_someone_else_took_escalates_saying_so(open_sopbot: Open, slack: FakeSlack) -> None:
    live = open_sopbot(INCIDENT)

    run = live.start({"name": "support"}, name="incident")

    assert run.status == "escalated"
    reasons = " ".join(str(event.reason) for event in live.audit())
    assert "#support exists already and was not made by sopbot: choose another name" in reasons
    assert slack.calls_to("conversations.invite") == []


def test_a_missing_scope_is_named_with_where_to_add_it(open_sopbot: Open, slack: FakeSlack) -> None:
    slack.fail("conversations.create", Fault(error="missing_scope", needed="channels:manage"))
    live = open_sopbot(INCIDENT)

    live.start({"name": "inc-44"}, name="incident")

    reasons = " ".join(str(event.reason) for event in live.audit())
    assert (
        "the Slack app lacks the channels:manage scope for conversations.create: add it to "
        "manifest.yml and reinstall the app"
    ) in reasons
