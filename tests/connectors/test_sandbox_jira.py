"""The sandbox Jira numbers issues per project and keeps comments, status and assignee."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Call = Callable[..., dict[str, Any]]
Refusal = Callable[[str, dict[str, Any]], str]


def issue(project: str, summary: str = "Export drops the last row") -> dict[str, Any]:
    return {"project": project, "summary": summary, "priority": "High", "labels": ["acme"]}


def test_each_project_allocates_its_own_keys_with_links(call: Call) -> None:
    created = [call("jira.create_issue", issue(p)) for p in ("BUG", "BUG", "ONB", "BUG")]

    assert [ref["key"] for ref in created] == ["BUG-101", "BUG-102", "ONB-101", "BUG-103"]
    assert created[0]["url"] == "https://jira.sandbox.invalid/browse/BUG-101"
    stored = call("jira.get_issue", {"key": "BUG-102"})
    assert (stored["summary"], stored["status"], stored["priority"], stored["labels"]) == (
        "Export drops the last row",
        "To Do",
        "High",
        ["acme"],
    )


def test_comments_transitions_and_assignment_change_the_issue(call: Call) -> None:
    key = call("jira.create_issue", issue("BUG"))["key"]

    comment = call("jira.add_comment", {"key": key, "body": "Customer: Acme (T-501)"})
    call("jira.transition_issue", {"key": key, "status": "in progress"})
    assigned = call("jira.assign_issue", {"key": key, "assignee": "U07KAI"})

    assert (assigned["status"], assigned["assignee"]) == ("In Progress", "U07KAI")
    assert [(c["id"], c["body"]) for c in assigned["comments"]] == [
        (comment["id"], "Customer: Acme (T-501)")
    ]


@pytest.mark.parametrize(
    ("operation", "arguments", "message"),
    [
        (
            "jira.create_issue",
            issue("CS"),
            "no project CS in the sandbox Jira (projects: BUG, ONB, OPS)",
        ),
        ("jira.get_issue", {"key": "BUG-999"}, "no issue BUG-999 in the sandbox Jira"),
        (
            "jira.transition_issue",
            {"key": "BUG-100", "status": "Shipped"},
            "'Shipped' is not a status of the workflow in the sandbox Jira "
            "(To Do, In Progress, In Review, Done)",
        ),
        (
            "jira.assign_issue",
            {"key": "BUG-100", "assignee": "kai"},
            "no user kai in the sandbox directory",
        ),
        (
            "jira.create_issue",
            {"project": "BUG", "summary": "x", "labels": ["product bug"]},
            "Jira labels cannot be empty or contain spaces: ['product bug']",
        ),
    ],
)
def test_what_jira_would_reject_is_refused_and_allocates_no_key(
    call: Call, refusal: Refusal, operation: str, arguments: dict[str, Any], message: str
) -> None:
    assert refusal(operation, arguments) == message
    assert call("jira.create_issue", issue("BUG"))["key"] == "BUG-101"
