"""Each namespace's connector as ``sopbot doctor`` sees it: built or not, and its own
checks (the SMTP server logs us in without a word sent; each allowed HTTP base answers with
its credential, and its clock is close to ours)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from bot.doctor.diagnosis import diagnose
from tests.connectors.email.smtp_server import (
    PASSWORD,
    USER,
    SmtpServer,
    serving,
    write_certificate,
)
from tests.doctor.conftest import SAMPLE_SOPS, Doctor

TOKEN = "Bearer tok-9c41d07a"


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A TLS-and-login SMTP server, chosen for email through the environment."""
    certificate, key = write_certificate(tmp_path)
    with serving(certificate, key) as server:
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
        monkeypatch.setenv("SOPBOT_CONNECTOR_EMAIL", "bot.connectors.email:connect")
        monkeypatch.setenv("SOPBOT_SMTP_HOST", server.host)
        monkeypatch.setenv("SOPBOT_SMTP_PORT", str(server.port))
        monkeypatch.setenv("SOPBOT_SMTP_USER", USER)
        monkeypatch.setenv("SOPBOT_SMTP_PASSWORD", PASSWORD)
        monkeypatch.setenv("SOPBOT_SMTP_FROM", "support@example.com")
        monkeypatch.setenv("SOPBOT_SMTP_TIMEOUT", "5")
        yield server


@pytest.fixture
def http_tool(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """The fake's /api/ allowed for http.request, with a bearer credential."""
    base = httpserver.url_for("/api/")
    monkeypatch.setenv("SOPBOT_CONNECTOR_HTTP", "bot.connectors.http:connect")
    monkeypatch.setenv("SOPBOT_HTTP_ALLOW", base)
    monkeypatch.setenv("SOPBOT_HTTP_AUTH", f"{base}=Authorization:API_AUTH")
    monkeypatch.setenv("SOPBOT_SECRET_API_AUTH", TOKEN)
    return base


def test_the_smtp_server_logs_in_and_nothing_is_sent(doctor: Doctor, smtp: SmtpServer) -> None:
    outcome = doctor()

    assert outcome.code == 0, outcome.text
    assert outcome.line(f"email: SMTP {smtp.host}:{smtp.port}") == (
        f"ok    email: SMTP {smtp.host}:{smtp.port}: connected, TLS verified, logged in as {USER}"
    )
    assert smtp.mailbox.delivered == []


def test_a_refused_smtp_login_fails_without_showing_the_password(
    doctor: Doctor, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPBOT_SMTP_PASSWORD", "wrong-password-42")

    outcome = doctor()

    line = outcome.line(f"email: SMTP {smtp.host}:{smtp.port}")
    assert outcome.code == 1
    assert line.startswith("FAIL")
    assert "refused the login" in line
    assert "check SOPBOT_SMTP_USER and SOPBOT_SMTP_PASSWORD" in line
    assert "wrong-password-42" not in outcome.text


def test_an_allowed_http_base_answers_with_its_credential(
    doctor: Doctor, http_tool: str, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/api/", headers={"Authorization": TOKEN}).respond_with_json({})

    outcome = doctor()

    assert outcome.code == 0, outcome.text
    assert outcome.line(f"http: {http_tool}") == (
        f"ok    http: {http_tool}: answered 200 with its credential"
    )
    assert TOKEN not in outcome.text


def test_a_refused_credential_fails_naming_the_setting(
    doctor: Doctor, http_tool: str, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/api/").respond_with_data(f"bad token {TOKEN}", status=401)

    outcome = doctor()

    assert outcome.code == 1
    assert outcome.line(f"http: {http_tool}") == (
        f"FAIL  http: {http_tool}: refused with its credential (401): check its entry in "
        "SOPBOT_HTTP_AUTH and the secret it names"
    )


def test_an_unreachable_base_fails(doctor: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPBOT_CONNECTOR_HTTP", "bot.connectors.http:connect")
    monkeypatch.setenv("SOPBOT_HTTP_ALLOW", "http://127.0.0.1:1/api/")

    outcome = doctor()

    assert outcome.code == 1
    assert outcome.line("http: http://127.0.0.1:1/api/").startswith(
        "FAIL  http: http://127.0.0.1:1/api/: could not be reached"
    )


def test_a_tool_clock_a_few_minutes_off_is_a_warning_not_a_failure(
    http_tool: str, httpserver: HTTPServer, migrated_url: str
) -> None:
    httpserver.expect_request("/api/").respond_with_json({})
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)  # we run 5 minutes fast

    findings = diagnose(now=lambda: ahead, database_url=migrated_url, sops_dir=SAMPLE_SOPS)

    clock = [f for f in findings if f.subject == f"http: {http_tool} clock"]
    assert [f.status for f in clock] == ["warn"]
    assert clock[0].detail.startswith("its clock is 30")
    assert "behind this server's" in clock[0].detail
    assert not [f for f in findings if f.status == "FAIL"]


def test_a_connector_without_a_check_is_built_and_says_so(
    doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPBOT_CONNECTOR_CRM", "tests.doctor.plain_tool:connect")

    outcome = doctor()

    assert outcome.code == 0, outcome.text
    assert outcome.line("crm") == "ok    crm: Plain built; no self-check"


def test_a_connector_that_cannot_start_fails_and_the_others_are_still_checked(
    doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPBOT_CONNECTOR_CRM", "tests.doctor.plain_tool:broken")
    monkeypatch.setenv("SOPBOT_CONNECTOR_HR", "tests.doctor.plain_tool:connect")

    outcome = doctor()

    assert outcome.code == 1
    assert outcome.line("crm") == (
        "FAIL  crm: the connector for crm could not start: SOPBOT_SECRET_CRM_TOKEN is not set"
    )
    assert outcome.line("hr") == "ok    hr: Plain built; no self-check"
