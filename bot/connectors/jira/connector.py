"""Performs the catalogue's ``jira.*`` operations through the ``jira`` client library's
session, with its own retry loop off (the SOP's retry rule decides) and every failure one
``ToolError``. Each answer is read in ``replies``, where a wrong shape is told apart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

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
from bot.connectors.jira import replies
from bot.connectors.jira.answers import raise_refusal, read_capped
from bot.connectors.jira.faults import FAULTS, tool_error
from bot.connectors.jira.fields import FieldNames
from bot.connectors.jira.health import health
from bot.connectors.jira.issues import FIELDS, key_label, labelled_jql, new_issue_fields
from bot.connectors.jira.rest import JiraRest, issue_path
from bot.connectors.jira.settings import JiraConfig
from storage import redaction


def open_client(config: JiraConfig) -> JIRA:
    """A client that sends nothing until asked: no server-info or login probe at start (a
    Jira that is down must not stop sopbot), no retries or sleeps of its own, a timeout on
    every request."""
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
    client._session.hooks["response"].extend([read_capped, raise_refusal])
    return client


class JiraConnector:
    """The ``Connector`` (and ``SelfChecking``) for the ``jira`` namespace."""

    def __init__(self, config: JiraConfig, client: JIRA, *, now: Callable[[], dt.datetime]) -> None:
        self.config = config
        self._client = client
        self._rest = JiraRest(client)
        self._now = now
        self._fields = FieldNames(lambda: replies.field_list(self._rest.get("field")))
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
        """Requests to Jira, and the reading of their answers, inside become a ``ToolError``
        on failure; any other error is sopbot's own and passes through."""
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
            key = None
            if label is not None:
                jql = labelled_jql(args.project, label)
                key = replies.found_key(self._find(jql, wanted=1, fields="summary"))
            if key is None:
                fields = new_issue_fields(args, label, self._fields.resolved(args.custom_fields))
                key = replies.created_key(self._rest.post("issue", {"fields": fields}))
        return IssueRef(key=key, url=self.config.browse_url(key))

    def _get(self, args: IssueKeyArgs, _key: str | None) -> Issue:
        return self._read(args.key)

    def _read(self, key: str) -> Issue:
        with self._asking(f"reading {key}", f"issue {key}"):
            answer = self._rest.get(issue_path(key), {"fields": FIELDS})
            return replies.issue(answer, self.config)

    def _comment(self, args: AddCommentArgs, _key: str | None) -> CommentRef:
        with self._asking(f"commenting on {args.key}", f"issue {args.key}"):
            answer = self._rest.post(issue_path(args.key, "/comment"), {"body": args.body})
            return CommentRef(id=replies.comment_id(answer))

    def _transition(self, args: TransitionArgs, _key: str | None) -> Issue:
        """Move the issue by the transition whose target is the status asked for; an issue
        already there is left alone (so a repeated call changes nothing)."""
        issue = self._read(args.key)
        wanted = args.status.strip().casefold()
        if issue.status.casefold() == wanted:
            return issue
        path = issue_path(args.key, "/transitions")
        with self._asking(f"moving {args.key} to {args.status}", f"issue {args.key}"):
            transitions = replies.transitions(self._rest.get(path))
            chosen = next((tid for tid, to in transitions if to.casefold() == wanted), None)
            if chosen is None:
                targets = sorted({to for _tid, to in transitions})
                raise ToolError(
                    f"{args.key} cannot move from {issue.status} to '{args.status}': its "
                    f"workflow leads from there to {', '.join(targets) or 'no status'}"
                )
            self._rest.post(path, {"transition": {"id": chosen}, "fields": {}})
        return self._read(args.key)

    def _assign(self, args: AssignArgs, _key: str | None) -> Issue:
        """``PUT …/assignee`` directly: the client's ``assign_issue`` searches users first
        and wraps a failure in an error whose text holds the request headers."""
        who = "accountId" if self.config.deployment == "Cloud" else "name"
        with self._asking(
            f"assigning {args.key} to {args.assignee}", f"issue {args.key} or user {args.assignee}"
        ):
            self._rest.put(issue_path(args.key, "/assignee"), {who: args.assignee})
        return self._read(args.key)

    def _search(self, args: SearchArgs, _key: str | None) -> IssueList:
        wanted = min(args.max_results, self.config.search_cap)
        with self._asking("searching issues", "search"):
            answer = self._find(args.jql, wanted=wanted, fields=FIELDS)
            return replies.search_page(answer, self.config, wanted)

    def _find(self, jql: str, *, wanted: int, fields: str) -> object:
        """A search's first page: Cloud searches at ``search/jql``, Server at ``search``."""
        path = "search/jql" if self.config.deployment == "Cloud" else "search"
        return self._rest.get(path, {"jql": jql, "maxResults": wanted, "fields": fields})
