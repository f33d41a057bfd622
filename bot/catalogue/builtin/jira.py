"""Jira operations (REST v2): issues, comments, transitions, assignment, search."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from bot.catalogue.operation import Args, ConnectorSpec, Operation, Result

Priority = Literal["Highest", "High", "Medium", "Low", "Lowest"]


class CreateIssueArgs(Args):
    project: str = Field(description="project key, such as BUG")
    summary: str = Field(max_length=255)
    description: str = ""
    issue_type: str = "Task"
    priority: Priority = "Medium"
    labels: list[str] = Field(default_factory=list)
    components: list[str] = Field(default_factory=list, description="the project's component names")
    custom_fields: dict[str, Any] = Field(
        default_factory=dict,
        description="custom fields by the name Jira shows ({'Severity': {'value': 'S2'}}), "
        "each value as Jira's REST API takes it",
    )


class IssueRef(Result):
    key: str
    url: str


class IssueKeyArgs(Args):
    key: str


class Issue(Result):
    key: str
    summary: str
    status: str
    priority: str
    labels: list[str] = Field(default_factory=list)
    assignee: str | None = None
    url: str
    issue_type: str | None = None
    description: str | None = None
    components: list[str] = Field(default_factory=list)


class AddCommentArgs(Args):
    key: str
    body: str


class CommentRef(Result):
    id: str


class TransitionArgs(Args):
    key: str
    status: str


class AssignArgs(Args):
    key: str
    assignee: str = Field(description="the accountId on Jira Cloud, the user name on Server")


class SearchArgs(Args):
    jql: str = Field(min_length=1, description="a JQL query: project = BUG AND labels = urgent")
    max_results: int = Field(default=20, ge=1, le=100)


class IssueList(Result):
    issues: list[Issue]
    more: bool = Field(description="more issues match than were returned")


SPEC = ConnectorSpec(
    namespace="jira",
    title="Jira",
    operations=(
        Operation(
            "jira.create_issue",
            "Create an issue",
            CreateIssueArgs,
            IssueRef,
            writes=True,
            idempotent=False,
            text_args=("summary", "description"),
            accepts_idempotency_key=True,
        ),
        Operation(
            "jira.get_issue", "Read an issue", IssueKeyArgs, Issue, writes=False, idempotent=True
        ),
        Operation(
            "jira.add_comment",
            "Comment on an issue",
            AddCommentArgs,
            CommentRef,
            writes=True,
            idempotent=False,
            text_args=("body",),
        ),
        Operation(
            "jira.transition_issue",
            "Move an issue to a status",
            TransitionArgs,
            Issue,
            writes=True,
            idempotent=True,
        ),
        Operation(
            "jira.assign_issue", "Assign an issue", AssignArgs, Issue, writes=True, idempotent=True
        ),
        Operation(
            "jira.search_issues",
            "Find issues with JQL",
            SearchArgs,
            IssueList,
            writes=False,
            idempotent=True,
        ),
    ),
)
