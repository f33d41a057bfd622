"""Whatever answers at Jira's URL with 200 and a body of the wrong shape (a JSON array, an
answer without its key, 50 MB) is one ``ToolError`` that says what to check, and a huge
body is refused while it streams in, not held in memory (a huge refusal's body is dropped,
its status kept)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import pytest
from werkzeug import Request, Response

from bot.connectors.base import ToolError
from tests.connectors.jira.conftest import Call
from tests.connectors.jira.fake_jira import TOKEN, FakeJira

BUG = {"project": "BUG", "issue_type": "Bug", "summary": "Exports drop the last row"}
WRONG_SHAPE = (
    "Jira's answer was not what its API promises while {doing} (wrong shape): is "
    "SOPBOT_JIRA_URL the site's base URL, with nothing (a proxy, a login) in between?"
)


def json_answer(text: str) -> Response:
    return Response(text, content_type="application/json")


def failure(call: Call, name: str, arguments: dict[str, object], key: str | None = None) -> str:
    with pytest.raises(ToolError) as caught:
        call(name, arguments, key=key)
    assert TOKEN not in str(caught.value)
    assert caught.value.retryable is False
    return str(caught.value)


def test_a_json_array_instead_of_an_issue_is_a_tool_error(
    call: Call, fake: FakeJira, caplog: pytest.LogCaptureFixture
) -> None:
    fake.plan("GET", r"issue/BUG-7", lambda _r: json_answer("[]"))

    error = failure(call, "jira.get_issue", {"key": "BUG-7"})

    assert error == WRONG_SHAPE.format(doing="reading BUG-7")
    (logged,) = [r for r in caplog.records if r.name == "sopbot.connectors.jira"]
    assert "while reading BUG-7" in logged.getMessage()
    assert "an issue: Input should be a valid dictionary" in logged.getMessage(), "what was wrong"


def test_a_json_array_instead_of_the_key_search_creates_nothing(call: Call, fake: FakeJira) -> None:
    fake.plan("GET", r"search/jql", lambda _r: json_answer("[1]"))

    error = failure(call, "jira.create_issue", BUG, key="r-1/open_bug/0")

    assert error == WRONG_SHAPE.format(doing="creating an issue in BUG")
    assert fake.issues == {}


def test_a_created_issue_answered_without_its_key_is_not_issue_none(
    call: Call, fake: FakeJira
) -> None:
    fake.plan("POST", r"issue", lambda _r: json_answer('{"id": "10001"}'))

    error = failure(call, "jira.create_issue", BUG)

    assert error == WRONG_SHAPE.format(doing="creating an issue in BUG")


def test_a_50_mb_answer_is_refused_while_it_streams_in(call: Call, fake: FakeJira) -> None:
    def huge(_request: Request) -> Response:
        def chunks() -> Iterator[bytes]:  # chunked: no Content-Length to refuse it early
            yield b'{"key": "BUG-7", "fields": {"summary": "'
            for _ in range(50 * 1024):
                yield b"x" * 1024
            yield b'"}}'

        return Response(chunks(), content_type="application/json")

    fake.plan("GET", r"issue/BUG-7", huge)
    tracemalloc.start()
    try:
        error = failure(call, "jira.get_issue", {"key": "BUG-7"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error == (
        "Jira answered more than 8,388,608 bytes while reading BUG-7: something between "
        "sopbot and Jira (a proxy, a file server) is answering instead, or the request asks "
        "for too much"
    )
    assert peak < 32 * 1024 * 1024, f"{peak:,} bytes held for a refused answer"


def test_a_50_mb_500_is_cut_while_it_streams_in_and_still_retried(
    call: Call, fake: FakeJira
) -> None:
    """A proxy's 500 with a huge page is an outage worth retrying, not a wrong answer."""

    def huge(_request: Request) -> Response:
        def chunks() -> Iterator[bytes]:  # chunked: no Content-Length to refuse it early
            yield b'{"errorMessages": ["'
            for _ in range(50 * 1024):
                yield b"x" * 1024
            yield b'"]}'

        return Response(chunks(), status=500, content_type="application/json")

    fake.plan("GET", r"issue/BUG-7", huge)
    tracemalloc.start()
    try:
        with pytest.raises(ToolError) as caught:
            call("jira.get_issue", {"key": "BUG-7"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert str(caught.value) == "Jira failed while reading BUG-7 (500)"
    assert caught.value.retryable is True
    assert peak < 32 * 1024 * 1024, f"{peak:,} bytes held for a refused answer"
