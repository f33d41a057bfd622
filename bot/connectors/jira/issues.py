"""What sopbot asks of Jira about issues: the fields it reads, and the body of a new one.

A new issue carries a label made from its step's idempotency key (``sopbot-<hash>``), so
sopbot finds it by JQL before creating it again after a crash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from bot.catalogue.builtin.jira import CreateIssueArgs

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
