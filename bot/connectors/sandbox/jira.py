"""The sandbox Jira: projects with their own key sequences, issues, comments, a workflow, and
a search that understands the simplest JQL (``project``, ``labels``, ``status`` and ``AND``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from bot.catalogue.builtin.jira import (
    AddCommentArgs,
    AssignArgs,
    CommentRef,
    CreateIssueArgs,
    Issue,
    IssueList,
    IssueRef,
    SearchArgs,
    TransitionArgs,
)
from bot.connectors.base import ToolError
from bot.connectors.sandbox.people import require_user
from bot.connectors.sandbox.store import Handler, Kind, Store, iso, record_reader

PROJECTS = Kind("jira.projects", "project", "Jira")
ISSUES = Kind("jira.issues", "issue", "Jira")
BROWSE_URL = "https://jira.sandbox.invalid/browse/"
ISSUE_TYPES = ("Bug", "Task", "Story", "Epic", "Sub-task")
WORKFLOW = ("To Do", "In Progress", "In Review", "Done")
_CLAUSE = re.compile(r'\s*(project|labels|status)\s*=\s*("[^"]*"|[\w.-]+)\s*', re.IGNORECASE)


def _canonical(value: str, allowed: tuple[str, ...], what: str) -> str:
    """Jira matches names in any letter case; anything else is refused with the choices."""
    for name in allowed:
        if name.lower() == value.strip().lower():
            return name
    raise ToolError(f"'{value}' is not {what} in the sandbox Jira ({', '.join(allowed)})")


def create_issue(store: Store, args: CreateIssueArgs, now: dt.datetime) -> IssueRef:
    project = store.find(PROJECTS, args.project)
    if project is None:
        known = ", ".join(p["key"] for p in store.all(PROJECTS))
        raise ToolError(f"no project {args.project} in the sandbox Jira (projects: {known})")
    spaced = [label for label in args.labels if not label or " " in label]
    if spaced:
        raise ToolError(f"Jira labels cannot be empty or contain spaces: {spaced}")
    issue_type = _canonical(args.issue_type, ISSUE_TYPES, "an issue type")
    project["last_number"] += 1
    store.save(PROJECTS, args.project, project, now)
    key = f"{args.project}-{project['last_number']}"
    issue = {
        "key": key,
        "project": args.project,
        "summary": args.summary,
        "description": args.description,
        "issue_type": issue_type,
        "priority": args.priority,
        "labels": args.labels,
        "components": args.components,
        "custom_fields": args.custom_fields,
        "status": WORKFLOW[0],
        "assignee": None,
        "comments": [],
        "url": BROWSE_URL + key,
        "created_at": iso(now),
    }
    store.save(ISSUES, key, issue, now)
    return IssueRef(key=key, url=issue["url"])


def add_comment(store: Store, args: AddCommentArgs, now: dt.datetime) -> CommentRef:
    issue = store.require(ISSUES, args.key)
    comment_id = str(10_000 + store.next_number("jira.comment", now))
    issue["comments"].append({"id": comment_id, "body": args.body, "created_at": iso(now)})
    store.save(ISSUES, args.key, issue, now)
    return CommentRef(id=comment_id)


def transition_issue(store: Store, args: TransitionArgs, now: dt.datetime) -> Issue:
    issue = store.require(ISSUES, args.key)
    issue["status"] = _canonical(args.status, WORKFLOW, "a status of the workflow")
    store.save(ISSUES, args.key, issue, now)
    return Issue.model_validate(issue)


def assign_issue(store: Store, args: AssignArgs, now: dt.datetime) -> Issue:
    issue = store.require(ISSUES, args.key)
    issue["assignee"] = require_user(store, args.assignee)["id"]
    store.save(ISSUES, args.key, issue, now)
    return Issue.model_validate(issue)


def _conditions(jql: str) -> list[tuple[str, str]]:
    """``field = value`` clauses joined by AND; anything richer is refused, naming what works."""
    conditions = []
    for clause in re.split(r"\s+AND\s+", jql.strip(), flags=re.IGNORECASE):
        match = _CLAUSE.fullmatch(clause)
        if match is None:
            raise ToolError(
                f"the sandbox Jira cannot search '{clause}': it understands project = X, "
                'labels = X and status = "X", joined by AND'
            )
        conditions.append((match.group(1).lower(), match.group(2).strip('"').lower()))
    return conditions


def _matches(issue: dict[str, object], field: str, value: str) -> bool:
    found = issue[field]
    values = found if isinstance(found, list) else [found]
    return value in {str(item).lower() for item in values}


def search_issues(store: Store, args: SearchArgs, now: dt.datetime) -> IssueList:
    conditions = _conditions(args.jql)
    found = [
        issue
        for issue in store.all(ISSUES)
        if all(_matches(issue, field, value) for field, value in conditions)
    ]
    return IssueList(
        issues=[Issue.model_validate(issue) for issue in found[: args.max_results]],
        more=len(found) > args.max_results,
    )


HANDLERS: Mapping[str, Handler] = {
    "jira.create_issue": create_issue,
    "jira.get_issue": record_reader(ISSUES, Issue, "key"),
    "jira.add_comment": add_comment,
    "jira.transition_issue": transition_issue,
    "jira.assign_issue": assign_issue,
    "jira.search_issues": search_issues,
}
