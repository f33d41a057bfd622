"""Performs the catalogue's ``jira.*`` operations through the ``jira`` client library, with
its own retry loop off (the SOP's retry rule decides) and every failure one ``ToolError``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from jira import JIRA
from pydantic import BaseModel

from bot.audit.masking import mask_logs
from bot.catalogue.builtin.jira import (
    AddCommentArgs,
    AssignArgs,
    CommentRef,
    CreateIssueArgs,
    Issue,
    IssueKeyArgs,
    IssueList,
    IssueRef,
    SearchArgs,
    TransitionArgs,
)
from bot.catalogue.operation import Health, Operation
from bot.connectors.base import ToolError
from bot.connectors.jira.answers import read_capped
from bot.connectors.jira.faults import FAULTS, tool_error
from bot.connectors.jira.fields import FieldNames
from bot.connectors.jira.health import health
from bot.connectors.jira.issues import (
    FIELDS,
    issue_result,
    key_label,
    labelled_jql,
    new_issue_fields,
    search_result,
)
from bot.connectors.jira.settings import JiraConfig
from storage import redaction


def open_client(config: JiraConfig) -> JIRA:
    """A client that sends nothing until asked: no server-info or login probe at start (a
    Jira that is down must not stop sopbot), no retries or sleeps of its own, a timeout on
    every request. Cloud or Server is known from the settings, not asked."""
    login: dict[str, Any] = (
        {"basic_auth": (config.email, config.secret)}
        if config.deployment == "Cloud"
        else {"token_auth": config.secret}
    )
    client = JIRA(
        server=config.url,
        get_server_info=False,
        validate=False,
        max_retries=0,
        timeout=config.timeout,
        **login,
    )
    client.deploymentType = config.deployment  # Cloud searches at /search/jql, Server at /search
    client._session.hooks["response"].append(read_capped)
    return client


class JiraConnector:
    """The ``Connector`` (and ``SelfChecking``) for the ``jira`` namespace."""

    def __init__(self, config: JiraConfig, client: JIRA, *, now: Callable[[], dt.datetime]) -> None:
        self.config = config
        self._client = client
        self._now = now
        self._fields = FieldNames(client.fields)
        redaction.register(config.secrets)  # masked wherever it might be echoed
        mask_logs()
        self._operations: dict[str, Callable[[Any, str | None], BaseModel]] = {
            "jira.create_issue": self._create,
            "jira.get_issue": self._get,
            "jira.add_comment": self._comment,
            "jira.transition_issue": self._transition,
            "jira.assign_issue": self._assign,
            "jira.search_issues": self._search,
        }

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Perform one call; the result as the catalogue declares it."""
        perform = self._operations.get(operation.name)
        if perform is None:
            raise ToolError(f"the Jira connector does not perform {operation.name}")
        args = operation.args.model_validate(arguments)
        result: dict[str, Any] = perform(args, idempotency_key).model_dump(mode="json")
        return result

    def check(self) -> list[Health]:
        """``sopbot doctor``: reachable, logged in, allowed, and on time."""
        return health(self._client, self.config, self._now)

    @contextmanager
    def _asking(self, doing: str, missing: str) -> Iterator[None]:
        """Requests to Jira inside become a ``ToolError`` on failure."""
        try:
            yield
        except FAULTS as error:
            raise tool_error(error, self.config, doing, missing, self._fields.label) from None

    def _create(self, args: CreateIssueArgs, idempotency_key: str | None) -> IssueRef:
        """Create the issue, unless one with this call's key label exists already (the
        step ran before, and the process died before it recorded Jira's answer)."""
        label = (
            key_label(self.config.idempotency_label, idempotency_key) if idempotency_key else None
        )
        with self._asking(f"creating an issue in {args.project}", f"project {args.project}"):
            if label is not None:
                found = self._client.search_issues(
                    labelled_jql(args.project, label),
                    maxResults=1,
                    fields="summary",
                    json_result=True,
                )
                existing = found.get("issues") or []
                if existing:
                    key = str(existing[0]["key"])
                    return IssueRef(key=key, url=self.config.browse_url(key))
            fields = new_issue_fields(args, label, self._fields.resolved(args.custom_fields))
            created = self._client.create_issue(fields=fields, prefetch=False)
        key = str((created.raw or {}).get("key"))
        return IssueRef(key=key, url=self.config.browse_url(key))

    def _get(self, args: IssueKeyArgs, _key: str | None) -> Issue:
        return self._read(args.key)

    def _read(self, key: str) -> Issue:
        with self._asking(f"reading {key}", f"issue {key}"):
            raw = self._client.issue(key, fields=FIELDS).raw or {}
        return issue_result(raw, self.config)

    def _comment(self, args: AddCommentArgs, _key: str | None) -> CommentRef:
        with self._asking(f"commenting on {args.key}", f"issue {args.key}"):
            comment = self._client.add_comment(args.key, args.body)
        return CommentRef(id=str((comment.raw or {}).get("id")))

    def _transition(self, args: TransitionArgs, _key: str | None) -> Issue:
        """Move the issue by the transition whose target is the status asked for; an issue
        already there is left alone (so a repeated call changes nothing)."""
        issue = self._read(args.key)
        wanted = args.status.strip().casefold()
        if issue.status.casefold() == wanted:
            return issue
        with self._asking(f"moving {args.key} to {args.status}", f"issue {args.key}"):
            transitions = self._client.transitions(args.key)
            chosen = next(
                (t for t in transitions if str(t["to"]["name"]).casefold() == wanted), None
            )
            if chosen is None:
                targets = sorted({str(t["to"]["name"]) for t in transitions})
                raise ToolError(
                    f"{args.key} cannot move from {issue.status} to '{args.status}': its "
                    f"workflow leads from there to {', '.join(targets) or 'no status'}"
                )
            self._client.transition_issue(args.key, str(chosen["id"]))
        return self._read(args.key)

    def _assign(self, args: AssignArgs, _key: str | None) -> Issue:
        """``PUT …/assignee`` directly: the client's ``assign_issue`` searches users first
        and wraps a failure in an error whose text holds the request headers."""
        who = "accountId" if self.config.deployment == "Cloud" else "name"
        url = f"{self._client.server_url}/rest/api/2/issue/{quote(args.key)}/assignee"
        with self._asking(
            f"assigning {args.key} to {args.assignee}", f"issue {args.key} or user {args.assignee}"
        ):
            self._client._session.put(url, data=json.dumps({who: args.assignee}))
        return self._read(args.key)

    def _search(self, args: SearchArgs, _key: str | None) -> IssueList:
        wanted = min(args.max_results, self.config.search_cap)
        with self._asking("searching issues", "search"):
            answer = self._client.search_issues(
                args.jql, maxResults=wanted, fields=FIELDS, json_result=True
            )
        return search_result(answer, self.config, wanted)
