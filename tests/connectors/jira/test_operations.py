"""Each ``jira.*`` operation against the fake Jira through the real client, on Cloud (email
and API token) and on Server (a personal access token)."""

from __future__ import annotations

import json

import pytest

from bot.connectors.base import ToolError
from bot.connectors.jira import JiraConfig
from tests.connectors.jira.conftest import Call, connector_for, performer
from tests.connectors.jira.fake_jira import TOKEN, FakeJira

BUG = {"project": "BUG", "issue_type": "Bug", "summary": "Exports drop the last row"}


def test_an_issue_is_created_with_every_field_and_read_back(call: Call, fake: FakeJira) -> None:
    created = call(
        "jira.create_issue",
        {
            **BUG,
            "description": "Reported by Acme",
            "priority": "High",
            "labels": ["product-bug"],
            "components": ["Export"],
            "custom_fields": {"severity": {"value": "S2"}, "Due date": "2026-12-24"},
        },
    )

    assert created == {"key": "BUG-101", "url": f"{fake.url}/browse/BUG-101"}
    (sent,) = fake.requests("POST", "issue")
    fields = json.loads(sent.get_data())["fields"]
    assert fields["customfield_10010"] == {"value": "S2"}, "Severity found by its name"
    assert fields["duedate"] == "2026-12-24"
    assert fields["components"] == [{"name": "Export"}]
    assert call("jira.get_issue", {"key": "BUG-101"}) == {
        "key": "BUG-101",
        "summary": "Exports drop the last row",
        "status": "To Do",
        "priority": "High",
        "labels": ["product-bug"],
        "assignee": None,
        "url": f"{fake.url}/browse/BUG-101",
        "issue_type": "Bug",
        "description": "Reported by Acme",
        "components": ["Export"],
    }


def test_a_field_name_jira_does_not_know_is_refused_before_anything_is_created(
    call: Call, fake: FakeJira
) -> None:
    with pytest.raises(ToolError) as unknown:
        call("jira.create_issue", {**BUG, "custom_fields": {"Severty": {"value": "S2"}}})
    with pytest.raises(ToolError) as shared:
        call("jira.create_issue", {**BUG, "custom_fields": {"Team": "Payments"}})

    assert str(unknown.value) == (
        "Jira has no field named 'Severty' (did you mean Severity?): custom_fields takes the "
        "names Jira shows on the issue screen, or field ids"
    )
    assert str(shared.value) == (
        "Jira has 2 fields named 'Team' (customfield_10020, customfield_10021): write the id "
        "of the one you mean in custom_fields"
    )
    assert fake.issues == {}
    assert len(fake.requests("GET", "field")) == 2, "read again once: it may have been added"


def test_a_field_jira_refuses_is_named_as_people_know_it(call: Call) -> None:
    with pytest.raises(ToolError) as refused:
        call("jira.create_issue", {**BUG, "custom_fields": {"Severity": {"value": "S9"}}})

    assert str(refused.value) == (
        "Jira refused creating an issue in BUG (400: Severity (customfield_10010): Option "
        "value '{'value': 'S9'}' is not valid)"
    )
    assert refused.value.retryable is False


def test_an_issue_moves_to_a_status_by_the_transition_that_leads_there(
    call: Call, fake: FakeJira
) -> None:
    call("jira.create_issue", BUG)

    moved = call("jira.transition_issue", {"key": "BUG-101", "status": "in progress"})
    again = call("jira.transition_issue", {"key": "BUG-101", "status": "In Progress"})

    assert moved["status"] == again["status"] == "In Progress"
    sent = [json.loads(r.get_data()) for r in fake.requests("POST", r"issue/BUG-101/transitions")]
    assert sent == [{"transition": {"id": "11"}, "fields": {}}], "the second call changed nothing"


def test_a_status_the_workflow_does_not_lead_to_is_refused_with_the_ones_it_does(
    call: Call,
) -> None:
    call("jira.create_issue", BUG)
    call("jira.transition_issue", {"key": "BUG-101", "status": "Done"})

    with pytest.raises(ToolError) as refused:
        call("jira.transition_issue", {"key": "BUG-101", "status": "In Progress"})

    assert str(refused.value) == (
        "BUG-101 cannot move from Done to 'In Progress': its workflow leads from there to To Do"
    )


def test_a_comment_is_added_and_its_id_returned(call: Call, fake: FakeJira) -> None:
    call("jira.create_issue", BUG)

    comment = call("jira.add_comment", {"key": "BUG-101", "body": "Customer: Acme (T-501)"})

    assert comment == {"id": "20000"}
    assert fake.comments["BUG-101"] == [{"id": "20000", "body": "Customer: Acme (T-501)"}]


def test_an_issue_is_assigned_by_account_id_on_cloud(call: Call, fake: FakeJira) -> None:
    call("jira.create_issue", BUG)

    assigned = call("jira.assign_issue", {"key": "BUG-101", "assignee": "557058:ana"})

    assert assigned["assignee"] == "557058:ana"
    (sent,) = fake.requests("PUT", r"issue/BUG-101/assignee")
    assert json.loads(sent.get_data()) == {"accountId": "557058:ana"}


def test_an_unknown_assignee_is_refused_naming_the_field(call: Call) -> None:
    call("jira.create_issue", BUG)

    with pytest.raises(ToolError) as refused:
        call("jira.assign_issue", {"key": "BUG-101", "assignee": "557058:nobody"})

    assert str(refused.value) == (
        "Jira refused assigning BUG-101 to 557058:nobody (400: assignee: User "
        "'557058:nobody' does not exist)"
    )


def test_a_search_finds_issues_by_jql_and_says_when_there_are_more(
    call: Call, fake: FakeJira
) -> None:
    for labels in (["export"], ["export"], ["billing"]):
        call("jira.create_issue", {**BUG, "labels": labels})

    found = call("jira.search_issues", {"jql": "project = BUG AND labels = export"})
    capped = call("jira.search_issues", {"jql": "project = BUG", "max_results": 2})

    assert [issue["key"] for issue in found["issues"]] == ["BUG-101", "BUG-102"]
    assert found["more"] is False
    assert [issue["key"] for issue in capped["issues"]] == ["BUG-101", "BUG-102"]
    assert capped["more"] is True
    assert fake.requests("GET", "search/jql"), "Cloud searches at /search/jql"


def test_a_search_jira_cannot_read_is_refused_in_its_words(call: Call) -> None:
    with pytest.raises(ToolError) as refused:
        call("jira.search_issues", {"jql": "reporter was ana"})

    assert str(refused.value) == (
        "Jira refused searching issues (400: Error in the JQL Query: cannot read "
        "'reporter was ana')"
    )


def test_server_logs_in_with_a_bearer_token_assigns_by_name_and_searches_at_search(
    fake: FakeJira,
) -> None:
    fake.deployment = "Server"
    call = performer(connector_for(JiraConfig(fake.url, "Server", TOKEN)))

    call("jira.create_issue", BUG)
    assigned = call("jira.assign_issue", {"key": "BUG-101", "assignee": "ana"})
    found = call("jira.search_issues", {"jql": 'project = BUG AND status = "To Do"'})

    assert assigned["assignee"] == "ana"
    (sent,) = fake.requests("PUT", r"issue/BUG-101/assignee")
    assert json.loads(sent.get_data()) == {"name": "ana"}
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert [issue["key"] for issue in found["issues"]] == ["BUG-101"]
    assert found["more"] is False
