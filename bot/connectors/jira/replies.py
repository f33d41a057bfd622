"""Jira's answers read, endpoint by endpoint, into what sopbot uses.

Each answer is checked where it is read: one of the wrong shape (an array, a string, null,
a field missing or of another type) is a ``WrongShape`` that says where, and nothing else is
taken for one, so a ``KeyError`` of sopbot's own stays the bug it is. Fields sopbot does not
read are let through: Jira adds some in every release.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bot.catalogue.builtin.jira import Issue, IssueList
from bot.connectors.jira.settings import JiraConfig

T = TypeVar("T")


class WrongShape(Exception):
    """Jira's answer was not what its API promises; the text says which answer, and where."""


class Answer(BaseModel):
    """Part of a Jira answer: the fields sopbot reads, others let through."""

    model_config = ConfigDict(extra="allow", frozen=True)


def read(shape: type[T], answer: object, what: str) -> T:
    """``answer`` (parsed JSON) as ``shape``, or ``WrongShape`` naming the first difference."""
    adapter: TypeAdapter[T] = TypeAdapter(shape)
    try:
        return adapter.validate_python(answer)
    except ValidationError as error:
        problem = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in problem["loc"])
        at = f", at {where}" if where else ""
        raise WrongShape(f"{what}{at}: {problem['msg']}") from None


class Named(Answer):
    name: str


class Person(Answer):
    account_id: str | None = Field(default=None, alias="accountId")
    name: str | None = None


class IssueFields(Answer):
    """The fields ``issues.FIELDS`` asks for; Jira leaves out (or nulls) an empty one."""

    summary: str | None = None
    status: Named | None = None
    priority: Named | None = None
    labels: list[str] | None = None
    assignee: Person | None = None
    issuetype: Named | None = None
    description: str | None = None
    components: list[Named] | None = None


class Keyed(Answer):
    key: str


class RawIssue(Keyed):
    fields: IssueFields


class KeyPage(Answer):
    issues: list[Keyed] | None = None


class IssuePage(Answer):
    """Server says ``total``; Cloud says ``isLast`` and gives a ``nextPageToken``."""

    issues: list[RawIssue] | None = None
    total: int | None = None
    is_last: bool = Field(default=True, alias="isLast")
    next_page_token: str | None = Field(default=None, alias="nextPageToken")


class CommentAnswer(Answer):
    id: str


class Transition(Answer):
    id: str
    """Sent back as Jira wrote it: a string, which need not be a number."""
    to: Named


class Transitions(Answer):
    transitions: list[Transition]


class FieldEntry(Answer):
    id: str
    name: str | None = None


def issue(answer: object, config: JiraConfig) -> Issue:
    """``GET issue/{key}``: the issue as ``jira.get_issue`` answers it."""
    return _issue(read(RawIssue, answer, "an issue"), config)


def search_page(answer: object, config: JiraConfig, wanted: int) -> IssueList:
    """``GET search`` (Server) or ``search/jql`` (Cloud): the first ``wanted`` issues, and
    whether more match."""
    page = read(IssuePage, answer, "a search")
    issues = [_issue(raw, config) for raw in page.issues or []][:wanted]
    if page.total is not None:
        return IssueList(issues=issues, more=page.total > len(issues))
    return IssueList(issues=issues, more=not page.is_last or bool(page.next_page_token))


def found_key(answer: object) -> str | None:
    """A search for a key label: the first issue's key, or None when nothing matched."""
    page = read(KeyPage, answer, "a search")
    return page.issues[0].key if page.issues else None


def created_key(answer: object) -> str:
    """``POST issue``: the new issue's key."""
    return read(Keyed, answer, "a created issue").key


def comment_id(answer: object) -> str:
    """``POST issue/{key}/comment``: the new comment's id."""
    return read(CommentAnswer, answer, "a comment").id


def transitions(answer: object) -> list[tuple[str, str]]:
    """``GET issue/{key}/transitions``: each transition's id and the status it leads to."""
    return [(t.id, t.to.name) for t in read(Transitions, answer, "transitions").transitions]


def field_list(answer: object) -> list[tuple[str, str]]:
    """``GET field``: each field's id and the name Jira shows (the id when it has none)."""
    return [(f.id, f.name or f.id) for f in read(list[FieldEntry], answer, "the field list")]


def _issue(raw: RawIssue, config: JiraConfig) -> Issue:
    """The assignee as ``jira.assign_issue`` takes it: the accountId on Cloud, the user name
    on Server."""
    fields, person = raw.fields, raw.fields.assignee
    return Issue(
        key=raw.key,
        summary=fields.summary or "",
        status=fields.status.name if fields.status else "",
        priority=fields.priority.name if fields.priority else "",
        labels=list(fields.labels or []),
        assignee=(person.account_id if config.deployment == "Cloud" else person.name)
        if person
        else None,
        url=config.browse_url(raw.key),
        issue_type=fields.issuetype.name if fields.issuetype else None,
        description=fields.description,
        components=[part.name for part in fields.components or []],
    )
