"""The sandbox Jira numbers issues per project, keeps comments, status and assignee, finds
issues by simple JQL, and opens one issue per idempotency key, as the live connector does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Call = Callable[..., dict[str, Any]]
Refusal = Callable[[str, dict[str, Any]], str]


def issue(
    project: str, summary: str = "Export drops the last row", labels: tuple[str, ...] = ("acme",)
) -> dict[str, Any]:
    return {"project": project, "summary": summary, "priority": "High", "labels": list(labels)}


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


def test_a_search_finds_issues_by_project_label_and_status_in_key_order(call: Call) -> None:
    for project, labels in (("BUG", ("acme",)), ("BUG", ("globex",)), ("ONB", ("acme",))):
        call("jira.create_issue", issue(project, labels=labels))
    call("jira.transition_issue", {"key": "BUG-101", "status": "Done"})

    by_label = call("jira.search_issues", {"jql": "labels = acme"})
    open_bugs = call("jira.search_issues", {"jql": 'project = BUG AND status = "To Do"'})
    capped = call("jira.search_issues", {"jql": "project = BUG", "max_results": 1})

    assert [found["key"] for found in by_label["issues"]] == ["BUG-101", "ONB-101"]
    assert [found["key"] for found in open_bugs["issues"]] == ["BUG-102"]
    assert (len(capped["issues"]), capped["more"]) == (1, True)


def test_a_search_it_cannot_read_is_refused_naming_what_it_understands(
    refusal: Refusal,
) -> None:
    assert refusal("jira.search_issues", {"jql": "reporter was ana"}) == (
        "the sandbox Jira cannot search 'reporter was ana': it understands project = X, "
        'labels = X and status = "X", joined by AND'
    )


def test_a_repeated_idempotency_key_opens_one_issue(call: Call) -> None:
    keys = {call("jira.create_issue", issue("BUG"), key="r-1/open_bug/0")["key"] for _ in "ab"}

    assert keys == {"BUG-101"}
    assert call("jira.create_issue", issue("BUG"))["key"] == "BUG-102"
