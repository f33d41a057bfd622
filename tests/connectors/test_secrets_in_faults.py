"""Credentials that stop working mid-run, and tools that echo them back: Jira and HubSpot
both answer 401 after earlier successes with the token in their error text. The step is
not retried (waiting does not renew a token), the run escalates once naming the variable
to fix, and no token appears in any row, chat message or log line. Slack, an SMTP server
and an HTTP service that quote the credential they were sent (in any form: a bearer
token without its scheme, a login's base64) leave it nowhere either."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.config import Settings
from storage.database import Database
from tests.connectors.email.conftest import certificate, smtp  # noqa: F401  (the fixtures)
from tests.connectors.email.smtp_server import PASSWORD, USER, SmtpServer
from tests.connectors.http.conftest import TOKEN as HTTP_CREDENTIAL
from tests.connectors.hubspot.conftest import TOKEN as HUBSPOT_TOKEN
from tests.connectors.hubspot.conftest import seeded_portal, write_mapping
from tests.connectors.hubspot.fake_hubspot import error
from tests.connectors.jira.fake_jira import EMAIL, FakeJira
from tests.connectors.jira.fake_jira import TOKEN as JIRA_TOKEN
from tests.connectors.slack.conftest import TOKEN as SLACK_TOKEN
from tests.connectors.slack.conftest import (  # noqa: F401  (the fake Slack's fixtures)
    Open,
    client,
    directory,
    make_chat,
    open_sopbot,
    slack,
    ticks,
    web_api_server,
)
from tests.engine.conftest import MakeHarness
from tests.promises.test_secrets import every_stored_value
from tests.slack.fake_web_api import FakeSlack, Fault

LIVE = Settings.model_construct(
    connector={"jira": "bot.connectors.jira:connect", "crm": "bot.connectors.hubspot:connect"}
)
BASIC = base64.b64encode(f"{EMAIL}:{JIRA_TOKEN}".encode()).decode()
FILE_THEN = """\
    id: file-then
    title: File a bug, then one more write
    owner: U01MARIA
    version: 1
    review: {{every: 365d, last_reviewed: 2026-11-01}}
    mode: autonomous
    trigger: {{command: file-then}}
    permissions:
      allow: [jira.create_issue, jira.add_comment, crm.add_note]
    escalation:
      to: [U04LEE]
    steps:
      - id: open_bug
        action: jira.create_issue
        with: {{project: BUG, issue_type: Bug, summary: "Claim CL-7001"}}
        save_as: bug
        on_failure: {{retry: {{attempts: 3, backoff: 1m}}, then: escalate}}
      - id: then
        {then}
        idempotency_key: "then-{{{{ run.id }}}}"
        on_failure: {{retry: {{attempts: 3, backoff: 1m}}, then: escalate}}
      - id: done
        end: completed
"""
COMMENT = 'action: jira.add_comment\n        with: {key: "{{ bug.key }}", body: "Seen"}'
NOTE = (
    "action: crm.add_note\n        with: {object_type: claim, object_id: CL-7001, "
    'body: "Filed {{ bug.key }}"}'
)


def echoing_jira(request: Request) -> Response:
    """A revoked token: Jira refuses, quoting what it was sent."""
    sent = request.headers.get("Authorization", "")
    return Response(f"Token expired: {sent} ({JIRA_TOKEN})", 401)


def echoing_hubspot(request: Request) -> Response:
    return error(
        401,
        f"The OAuth token used to make this call expired: {request.headers.get('Authorization')}",
        "EXPIRED_AUTHENTICATION",
    )


@pytest.mark.parametrize(
    ("then", "variable", "planned"),
    [
        (COMMENT, "SOPBOT_JIRA_API_TOKEN", "jira"),
        (NOTE, "SOPBOT_HUBSPOT_ACCESS_TOKEN", "hubspot"),
    ],
)
def test_a_token_revoked_mid_run_escalates_once_and_never_shows(
    make_harness: MakeHarness,
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    then: str,
    variable: str,
    planned: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    jira = FakeJira(httpserver).install()  # below /rest/api/2/; HubSpot answers the rest
    portal = seeded_portal(httpserver)
    monkeypatch.setenv("SOPBOT_JIRA_URL", jira.url)
    monkeypatch.setenv("SOPBOT_JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("SOPBOT_JIRA_API_TOKEN", JIRA_TOKEN)
    monkeypatch.setenv("SOPBOT_HUBSPOT_ACCESS_TOKEN", HUBSPOT_TOKEN)
    monkeypatch.setenv("SOPBOT_HUBSPOT_API_URL", httpserver.url_for("/"))
    monkeypatch.setenv("SOPBOT_HUBSPOT_MAPPING", str(write_mapping(tmp_path)))
    harness = make_harness(FILE_THEN.format(then=then), settings=LIVE)
    if planned == "jira":
        jira.plan("POST", r"issue/BUG-101/comment", echoing_jira)
    else:
        portal.fail_next(echoing_hubspot, times=10)

    run = harness.start("file-then")

    assert list(jira.issues) == ["BUG-101"], "the first call went through"
    assert run.status == "escalated", run.reason
    assert variable in (run.reason or "")
    alerts = [message for message in harness.chat.posted if message.kind == "alert"]
    assert len(alerts) == 1
    tries = (
        jira.requests("POST", r"issue/BUG-101/comment")
        if planned == "jira"
        else [r for r in portal.requests if r[0] == "POST"]
    )
    assert len(tries) == 1, "a refused login is not retried"
    places = [
        *every_stored_value(harness.database),
        *(repr(message) for message in harness.chat.posted),
        caplog.text,
    ]
    leaks = [
        place
        for place in places
        if any(secret in place for secret in (JIRA_TOKEN, BASIC, HUBSPOT_TOKEN))
    ]
    assert leaks == []


def leaks(database: Database, shown: Iterable[str], log: str, secrets: Iterable[str]) -> list[str]:
    """Every row cell, chat text and the log that holds one of ``secrets``."""
    places = [*every_stored_value(database), *shown, log]
    return [place for place in places if any(secret in place for secret in secrets)]


@pytest.mark.parametrize(
    "fault",
    [
        Fault(error=f"invalid_auth: {SLACK_TOKEN}"),
        Fault(status=401, error=f"not_authed (sent Bearer {SLACK_TOKEN})"),
        Fault(status=503, error=f"upstream refused {SLACK_TOKEN}"),
    ],
    ids=["refused", "401", "503"],
)
def test_slack_quoting_the_bot_token_leaves_it_nowhere(
    open_sopbot: Open,  # noqa: F811
    slack: FakeSlack,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
    fault: Fault,
) -> None:
    caplog.set_level(logging.DEBUG)
    slack.fail("chat.postMessage", fault)
    live = open_sopbot()

    run = live.start({"ticket": "T-7"})

    assert run.status != "completed"
    assert slack.calls[0].headers["Authorization"] == f"Bearer {SLACK_TOKEN}"
    shown = [json.dumps(call.args) for call in slack.calls]
    assert leaks(live.engine.runtime.database, shown, caplog.text, [SLACK_TOKEN]) == []


WELCOME = """\
    id: welcome
    title: Welcome a customer
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: welcome}
    permissions:
      allow: [email.send]
    escalation:
      to: [U04LEE]
    steps:
      - id: send
        action: email.send
        with: {to: [ana@customer.example], subject: Welcome aboard, body: Ready.}
        on_failure: {retry: {attempts: 3, backoff: 1m}, then: escalate}
      - id: done
        end: completed
"""


def test_an_smtp_server_quoting_the_login_leaves_the_password_nowhere(
    make_harness: MakeHarness,
    smtp: SmtpServer,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    plain = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    smtp.mailbox.login_reply = f"535 5.7.8 AUTH PLAIN {plain} ({USER}:{PASSWORD}) refused"
    harness = make_harness(
        WELCOME,
        settings=Settings.model_construct(connector={"email": "bot.connectors.email:connect"}),
    )

    run = harness.start("welcome")

    assert run.status == "escalated", run.reason
    assert "SOPBOT_SMTP_PASSWORD" in (run.reason or "")
    shown = [repr(message) for message in harness.chat.posted]
    secrets = [PASSWORD, plain]
    assert leaks(harness.database, shown, caplog.text, secrets) == []


STOCK = """\
    id: stock-check
    title: Check stock at the warehouse
    owner: U01MARIA
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: autonomous
    trigger: {command: stock-check}
    permissions:
      allow: [http.request]
    escalation:
      to: [U04LEE]
    steps:
      - id: ask
        action: http.request
        with: {url: "BASE/stock/SKU-1"}
        on_failure: {retry: {attempts: 2, backoff: 10s}, then: escalate}
      - id: done
        end: completed
"""
WAREHOUSE_PASSWORD = "pw-77c1e0aa9b"
BASIC_CREDENTIAL = "Basic " + base64.b64encode(f"stock:{WAREHOUSE_PASSWORD}".encode()).decode()


def echoing_service(status: int) -> Callable[[Request], Response]:
    """A service refusing with ``status``, quoting the credential whole, without its scheme,
    and (Basic) decoded."""

    def answer(request: Request) -> Response:
        sent = request.headers.get("Authorization", "")
        scheme, _, credential = sent.partition(" ")
        decoded = base64.b64decode(credential).decode() if scheme == "Basic" else ""
        reason = {"message": f"token {credential} expired ({decoded}; sent {sent})"}
        return Response(json.dumps(reason), status, content_type="application/json")

    return answer


@pytest.mark.parametrize(
    ("credential", "hidden", "status"),
    [
        (HTTP_CREDENTIAL, HTTP_CREDENTIAL.removeprefix("Bearer "), 401),
        (HTTP_CREDENTIAL, HTTP_CREDENTIAL.removeprefix("Bearer "), 403),
        (HTTP_CREDENTIAL, HTTP_CREDENTIAL.removeprefix("Bearer "), 500),
        (BASIC_CREDENTIAL, WAREHOUSE_PASSWORD, 401),
    ],
    ids=["bearer-401", "bearer-403", "bearer-500", "basic-401"],
)
def test_an_http_service_quoting_its_credential_leaves_it_nowhere(
    make_harness: MakeHarness,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    credential: str,
    hidden: str,
    status: int,
) -> None:
    caplog.set_level(logging.DEBUG)
    base = httpserver.url_for("/api/")
    monkeypatch.setenv("SOPBOT_HTTP_ALLOW", base)
    monkeypatch.setenv("SOPBOT_HTTP_AUTH", f"{base}=Authorization:WAREHOUSE_AUTH")
    monkeypatch.setenv("SOPBOT_SECRET_WAREHOUSE_AUTH", credential)
    httpserver.expect_request("/api/stock/SKU-1").respond_with_handler(echoing_service(status))
    settings = Settings.model_construct(connector={"http": "bot.connectors.http:connect"})
    harness = make_harness(STOCK.replace("BASE/", base), settings=settings)

    run = harness.start("stock-check")

    assert run.status != "completed"
    assert httpserver.log[0][0].headers["Authorization"] == credential
    shown = [repr(message) for message in harness.chat.posted]
    assert leaks(harness.database, shown, caplog.text, [hidden]) == []
