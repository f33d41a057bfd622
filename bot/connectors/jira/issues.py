"""Jira's issue JSON as the catalogue's results, and the request body of a new issue.

A new issue carries a label made from its step's idempotency key (``sopbot-<hash>``), so
sopbot finds it by JQL before creating it again after a crash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from bot.catalogue.builtin.jira import CreateIssueArgs, Issue, IssueList
from bot.connectors.base import ToolError
from bot.connectors.jira.settings import JiraConfig

FIELDS = "summary,status,priority,labels,assignee,issuetype,description,components"
"""What sopbot reads of an issue: no more, so answers stay small."""


def key_label(prefix: str, idempotency_key: str) -> str:
    """The label that marks the issue a keyed step created: the prefix and a short hash
    (a key may hold characters a label cannot, and a label has no room for a long key)."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
    return f"{prefix}-{digest}"


def labelled_jql(project: str, label: str) -> str:
    """The search that finds an issue already created with ``label``."""
    quoted = project.replace("\\", "\\\\").replace('"', '\\"')
    return f'project = "{quoted}" AND labels = "{label}"'


def new_issue_fields(
    args: CreateIssueArgs, label: str | None, custom: Mapping[str, Any]
) -> dict[str, Any]:
    """The ``fields`` of ``POST /rest/api/2/issue``: project and type by key and name (no
    extra look-ups), optional fields only when given (a create screen may lack them)."""
    fields: dict[str, Any] = {
        "project": {"key": args.project},
        "issuetype": {"name": args.issue_type},
        "summary": args.summary,
        "priority": {"name": args.priority},
    }
    if args.description:
        fields["description"] = args.description
    labels = [*args.labels, *([label] if label else [])]
    if labels:
        fields["labels"] = labels
    if args.components:
        fields["components"] = [{"name": name} for name in args.components]
    fields.update(custom)
    return fields


def issue_result(raw: Mapping[str, Any], config: JiraConfig) -> Issue:
    """An issue as ``jira.get_issue`` answers it; the assignee as ``jira.assign_issue``
    takes it (the accountId on Cloud, the user name on Server)."""
    try:
        fields = raw["fields"]
        person = fields.get("assignee") or {}
        who = "accountId" if config.deployment == "Cloud" else "name"
        return Issue(
            key=raw["key"],
            summary=fields.get("summary") or "",
            status=(fields.get("status") or {}).get("name", ""),
            priority=(fields.get("priority") or {}).get("name", ""),
            labels=list(fields.get("labels") or []),
            assignee=person.get(who),
            url=config.browse_url(raw["key"]),
            issue_type=(fields.get("issuetype") or {}).get("name"),
            description=fields.get("description"),
            components=[part["name"] for part in fields.get("components") or []],
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ToolError(
            f"Jira answered an issue without its {error} (or not as an object): is "
            "SOPBOT_JIRA_URL the site's base URL?"
        ) from None


def search_result(answer: Mapping[str, Any], config: JiraConfig, wanted: int) -> IssueList:
    """A search's first page; ``more`` from Server's ``total`` or Cloud's ``isLast``."""
    issues = [issue_result(raw, config) for raw in answer.get("issues") or []][:wanted]
    if "total" in answer:
        more = int(answer["total"]) > len(issues)
    else:
        more = not answer.get("isLast", True) or bool(answer.get("nextPageToken"))
    return IssueList(issues=issues, more=more)
