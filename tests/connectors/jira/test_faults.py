"""Every way a Jira request fails becomes one ``ToolError`` line that says whether waiting
helps: 5xx, timeouts and 429 are retryable (429 with its Retry-After), a login, permission,
missing issue or broken answer is not. The client's own retry loop never runs: one failure
is one request."""

from __future__ import annotations

import pytest
from werkzeug import Request, Response

from bot.connectors.base import ToolError
from bot.connectors.jira import JiraConfig
from tests.connectors.jira.conftest import Call, cloud, connector_for, performer
from tests.connectors.jira.fake_jira import EMAIL, TOKEN, FakeJira, refusal

BUG = {"project": "BUG", "issue_type": "Bug", "summary": "Exports drop the last row"}


def failure(call: Call, name: str, arguments: dict[str, object]) -> ToolError:
    with pytest.raises(ToolError) as caught:
        call(name, arguments)
    assert TOKEN not in str(caught.value)
    return caught.value


def test_a_500_is_retryable_and_asked_once(call: Call, fake: FakeJira) -> None:
    fake.plan("POST", "issue", lambda _r: refusal(500, ["Internal server error"]))

    error = failure(call, "jira.create_issue", BUG)

    assert str(error) == "Jira failed while creating an issue in BUG (500: Internal server error)"
    assert error.retryable is True
    assert len(fake.requests("POST", "issue")) == 1
    assert call("jira.create_issue", BUG)["key"] == "BUG-101", "the next try goes through"


def test_a_429_is_retryable_after_the_wait_jira_asks_for_and_not_waited_out_here(
    call: Call, fake: FakeJira
) -> None:
    def limited(_request: Request) -> Response:
        return Response("Rate limit exceeded", 429, {"Retry-After": "30"})

    fake.plan("POST", "issue", limited)

    error = failure(call, "jira.create_issue", BUG)

    assert str(error) == "Jira is rate limiting sopbot (429); it asks to wait 30s"
    assert (error.retryable, error.retry_after) == (True, 30.0)
    assert len(fake.requests("POST", "issue")) == 1, "the client's own retry loop is off"


def test_an_answer_slower_than_the_timeout_is_retryable(fake: FakeJira) -> None:
    call = performer(connector_for(cloud(fake, timeout=0.5)))
    fake.plan("GET", r"issue/BUG-7", None)

    error = failure(call, "jira.get_issue", {"key": "BUG-7"})

    assert fake.hanging.is_set()
    fake.release.set()
    assert str(error) == "Jira did not answer within 0.5s while reading BUG-7"
    assert error.retryable is True


def test_broken_json_is_not_retried_and_says_what_answered(call: Call, fake: FakeJira) -> None:
    fake.plan(
        "GET",
        r"issue/BUG-7",
        lambda _r: Response('{"key": "BUG-7", "fields": {', content_type="application/json"),
    )

    error = failure(call, "jira.get_issue", {"key": "BUG-7"})

    assert str(error) == (
        "Jira answered broken JSON while reading BUG-7 (Expecting property name enclosed in "
        "double quotes at character 28): something between sopbot and Jira (a proxy, a login "
        "page) is answering instead"
    )
    assert error.retryable is False


def test_a_refused_login_names_the_variables_to_check(fake: FakeJira) -> None:
    call = performer(connector_for(cloud(fake, token="jira-tok-expired-0001")))

    error = failure(call, "jira.get_issue", {"key": "BUG-7"})

    assert str(error) == (
        f"Jira at {fake.url} refused sopbot's login (401: Client must be authenticated to "
        "access this resource): check SOPBOT_JIRA_EMAIL and SOPBOT_JIRA_API_TOKEN"
    )
    assert error.retryable is False
    assert "jira-tok-expired-0001" not in str(error)


def test_a_missing_permission_is_refused_in_jira_s_words(call: Call, fake: FakeJira) -> None:
    call("jira.create_issue", BUG)
    fake.denied.add("ASSIGN_ISSUES")

    error = failure(call, "jira.assign_issue", {"key": "BUG-101", "assignee": "557058:ana"})

    assert str(error) == (
        "Jira refused assigning BUG-101 to 557058:ana for lack of permission (403: You do "
        "not have permission to assign issues): grant it to the account sopbot logs in as, or "
        "change the step"
    )
    assert error.retryable is False


def test_a_missing_issue_and_a_missing_project_are_named(call: Call) -> None:
    missing = failure(call, "jira.add_comment", {"key": "BUG-999", "body": "hello"})
    no_project = failure(call, "jira.create_issue", {**BUG, "project": "NOPE"})

    assert str(missing) == (
        "Jira has no issue BUG-999, or sopbot's account cannot see it (404: Issue does not "
        "exist or you do not have permission to see it)"
    )
    assert str(no_project) == (
        "Jira refused creating an issue in NOPE (400: project: valid project is required)"
    )
    assert missing.retryable is no_project.retryable is False


def test_a_server_that_cannot_be_reached_is_retryable_and_tls_trouble_is_not(
    fake: FakeJira,
) -> None:
    https = fake.url.replace("http://", "https://")
    tls = failure(
        performer(connector_for(JiraConfig(https, "Cloud", TOKEN, email=EMAIL))),
        "jira.get_issue",
        {"key": "BUG-7"},
    )
    closed = failure(
        performer(connector_for(JiraConfig("http://127.0.0.1:9", "Cloud", TOKEN, email=EMAIL))),
        "jira.get_issue",
        {"key": "BUG-7"},
    )

    assert str(tls) == (
        f"the TLS connection to Jira at {https} failed: check SOPBOT_JIRA_URL (https to a "
        "server that speaks it), or trust its CA with REQUESTS_CA_BUNDLE"
    )
    assert tls.retryable is False
    assert str(closed) == (
        "cannot reach Jira at http://127.0.0.1:9 (ConnectionError): check SOPBOT_JIRA_URL and "
        "the network"
    )
    assert closed.retryable is True
