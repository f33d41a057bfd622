"""Every Jira answer sopbot reads is checked where it is read: an answer of the wrong shape
(an array, a string, null, a field missing or of another type) from any endpoint is the one
``ToolError`` that says what to check, and ``sopbot doctor`` reports it as a failed check.
An ``AttributeError``, ``KeyError`` or ``TypeError`` of sopbot's own is not taken for one: it
surfaces as the bug it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug import Response

from bot.catalogue.operation import Health
from bot.connectors.base import ToolError
from bot.connectors.jira import JiraConnector
from tests.connectors.jira.conftest import Call
from tests.connectors.jira.fake_jira import TOKEN, FakeJira
from tests.connectors.jira.test_answers import WRONG_SHAPE, json_answer

BUG = {"project": "BUG", "issue_type": "Bug", "summary": "Exports drop the last row"}


@dataclass(frozen=True)
class Endpoint:
    """One request an operation makes, and answers of the wrong shape for it."""

    operation: str
    arguments: dict[str, Any]
    method: str
    path: str
    doing: str
    missing: str  # a field sopbot reads left out
    mistyped: str  # a field sopbot reads of another type
    key: str | None = None
    existing: bool = False  # the operation reads BUG-101 first


ENDPOINTS = {
    "issue": Endpoint(
        "jira.get_issue",
        {"key": "BUG-7"},
        "GET",
        r"issue/BUG-7",
        "reading BUG-7",
        missing='{"key": "BUG-7"}',
        mistyped='{"key": "BUG-7", "fields": {"status": "Done"}}',
    ),
    "search": Endpoint(
        "jira.search_issues",
        {"jql": "project = BUG"},
        "GET",
        r"search/jql",
        "searching issues",
        missing='{"issues": [{"fields": {"summary": "no key"}}]}',
        mistyped='{"issues": [], "total": "many"}',
    ),
    "key label search": Endpoint(
        "jira.create_issue",
        BUG,
        "GET",
        r"search/jql",
        "creating an issue in BUG",
        missing='{"issues": [{"id": "10001"}]}',
        mistyped='{"issues": [{"key": 10001}]}',
        key="r-1/open_bug/0",
    ),
    "field list": Endpoint(
        "jira.create_issue",
        {**BUG, "custom_fields": {"Severity": {"value": "S2"}}},
        "GET",
        r"field",
        "creating an issue in BUG",
        missing='[{"name": "Severity"}]',
        mistyped='["customfield_10010"]',
    ),
    "created issue": Endpoint(
        "jira.create_issue",
        BUG,
        "POST",
        r"issue",
        "creating an issue in BUG",
        missing='{"id": "10001", "self": ""}',
        mistyped='{"id": "10001", "key": null}',
    ),
    "comment": Endpoint(
        "jira.add_comment",
        {"key": "BUG-7", "body": "Seen"},
        "POST",
        r"issue/BUG-7/comment",
        "commenting on BUG-7",
        missing='{"body": "Seen"}',
        mistyped='{"id": null, "body": "Seen"}',
    ),
    "transitions": Endpoint(
        "jira.transition_issue",
        {"key": "BUG-101", "status": "Done"},
        "GET",
        r"issue/BUG-101/transitions",
        "moving BUG-101 to Done",
        missing='{"expand": "transitions"}',
        mistyped='{"transitions": [{"id": "31", "to": "Done"}]}',
        existing=True,
    ),
}
KINDS = ("array", "string", "missing", "mistyped", "null")


def body(endpoint: Endpoint, kind: str) -> str:
    return {
        "array": '[{"key": "BUG-7"}]',
        "string": '"Jira is down for maintenance"',
        "missing": endpoint.missing,
        "mistyped": endpoint.mistyped,
        "null": "null",
    }[kind]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_each_endpoint_answering_the_wrong_shape_is_one_tool_error_and_writes_nothing(
    call: Call, fake: FakeJira, caplog: pytest.LogCaptureFixture, name: str, kind: str
) -> None:
    endpoint = ENDPOINTS[name]
    if endpoint.existing:
        call("jira.create_issue", BUG)
    issues_before = {key: dict(issue) for key, issue in fake.issues.items()}
    fake.plan(endpoint.method, endpoint.path, lambda _r: json_answer(body(endpoint, kind)))

    with pytest.raises(ToolError) as caught:
        call(endpoint.operation, endpoint.arguments, key=endpoint.key)

    assert str(caught.value) == WRONG_SHAPE.format(doing=endpoint.doing)
    assert caught.value.retryable is False
    assert TOKEN not in str(caught.value)
    assert fake.requests(endpoint.method, endpoint.path), "the planned answer was read"
    assert fake.issues == issues_before, "nothing created or moved on a misread answer"
    assert fake.comments == {}
    (logged,) = [r for r in caplog.records if r.name == "sopbot.connectors.jira"]
    assert f"while {endpoint.doing} was not what its API promises" in logged.getMessage()


@pytest.mark.parametrize(
    ("path", "answer", "subject", "doing"),
    [
        ("serverInfo", '["Acme Jira"]', "Jira server", "reading serverInfo"),
        ("serverInfo", '{"serverTime": 1796202005}', "Jira server", "reading serverInfo"),
        ("myself", '"sopbot"', "Jira login", "reading /myself"),
        ("myself", '{"accountId": ["557058:f3a1"]}', "Jira login", "reading /myself"),
        ("mypermissions", "[]", "Jira permissions", "reading mypermissions"),
        (
            "mypermissions",
            '{"permissions": {"BROWSE_PROJECTS": true}}',
            "Jira permissions",
            "reading mypermissions",
        ),
    ],
)
def test_doctor_reports_an_answer_of_the_wrong_shape_as_a_failed_check_never_raising(
    connector: JiraConnector, fake: FakeJira, path: str, answer: str, subject: str, doing: str
) -> None:
    fake.plan("GET", path, lambda _r: json_answer(answer))

    checks = connector.check()

    failed = [check for check in checks if not check.ok]
    assert failed == [Health(subject, False, WRONG_SHAPE.format(doing=doing))]


@pytest.mark.parametrize(
    ("status", "answer", "error"),
    [
        (400, '{"errorMessages": 5}', "Jira refused reading BUG-7 (400)"),
        (400, '{"errorMessages": [], "errors": 5}', "Jira refused reading BUG-7 (400)"),
        (503, "null", "Jira failed while reading BUG-7 (503)"),
        (503, "7", "Jira failed while reading BUG-7 (503)"),
    ],
)
def test_a_refusal_whose_body_is_not_jira_s_error_object_still_says_what_was_refused(
    call: Call, fake: FakeJira, status: int, answer: str, error: str
) -> None:
    fake.plan(
        "GET",
        r"issue/BUG-7",
        lambda _r: Response(answer, status, content_type="application/json"),
    )

    with pytest.raises(ToolError) as caught:
        call("jira.get_issue", {"key": "BUG-7"})

    assert str(caught.value) == error
    assert caught.value.retryable is (status >= 500)


def broken(*_args: object, **_kwargs: object) -> Any:
    raise KeyError("a bug of sopbot's own")


@pytest.mark.parametrize(
    ("helper", "operation", "arguments", "key"),
    [
        (
            "bot.connectors.jira.settings.JiraConfig.browse_url",
            "jira.get_issue",
            {"key": "BUG-101"},
            None,
        ),
        ("bot.connectors.jira.connector.new_issue_fields", "jira.create_issue", BUG, None),
        ("bot.connectors.jira.connector.labelled_jql", "jira.create_issue", BUG, "r-1/open_bug/0"),
        ("bot.connectors.jira.fields.FieldNames.resolved", "jira.create_issue", BUG, None),
    ],
)
def test_a_key_error_of_sopbot_s_own_is_not_reported_as_a_jira_answer(
    call: Call,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    helper: str,
    operation: str,
    arguments: dict[str, Any],
    key: str | None,
) -> None:
    """The one place sopbot's own code is patched: to plant the bug."""
    call("jira.create_issue", BUG)
    monkeypatch.setattr(helper, broken)

    with pytest.raises(KeyError, match="a bug of sopbot's own"):
        call(operation, arguments, key=key)

    assert not [r for r in caplog.records if r.name == "sopbot.connectors.jira"]
