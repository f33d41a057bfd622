"""``sopbot doctor``'s view of Jira (``check``): the server answers, the login works and as
whom, the permissions the operations need are granted, and Jira's clock agrees with ours.
A failing check says what to fix and never raises."""

from __future__ import annotations

import datetime as dt

from bot.catalogue.operation import Health, SelfChecking
from bot.connectors.jira import JiraConnector
from tests.connectors.jira.conftest import cloud, connector_for
from tests.connectors.jira.fake_jira import FakeJira, refusal


def test_a_healthy_jira_passes_every_check(connector: JiraConnector, fake: FakeJira) -> None:
    assert isinstance(connector, SelfChecking)

    assert connector.check() == [
        Health("Jira server", True, f"Jira Cloud 1001.0.0-SNAPSHOT at {fake.url}"),
        Health("Jira clock", True, "Jira's clock is within 5s of ours"),
        Health("Jira login", True, "logged in as sopbot (557058:f3a1-sopbot)"),
        Health(
            "Jira permissions",
            True,
            "granted: BROWSE_PROJECTS, CREATE_ISSUES, ADD_COMMENTS, TRANSITION_ISSUES, "
            "ASSIGN_ISSUES",
        ),
    ]


def test_a_missing_permission_and_a_clock_off_by_minutes_fail_with_what_to_do(
    connector: JiraConnector, fake: FakeJira
) -> None:
    fake.denied.update({"CREATE_ISSUES", "ASSIGN_ISSUES"})
    fake.server_time -= dt.timedelta(minutes=3)

    checks = {health.subject: health for health in connector.check()}

    assert checks["Jira permissions"] == Health(
        "Jira permissions",
        False,
        "sopbot's account lacks CREATE_ISSUES (jira.create_issue), ASSIGN_ISSUES "
        "(jira.assign_issue): ask a Jira admin to grant them in the projects your SOPs use",
    )
    assert checks["Jira clock"] == Health(
        "Jira clock",
        False,
        "Jira's clock is 175s behind ours (at most 60s is fine): check NTP on this host, or "
        "tell your Jira admin",
    )


def test_a_refused_login_and_a_failing_server_are_reported_not_raised(fake: FakeJira) -> None:
    fake.plan("GET", "serverInfo", lambda _r: refusal(503, ["Jira is restarting"]))
    connector = connector_for(cloud(fake, token="jira-tok-expired-0001"))

    assert connector.check() == [
        Health(
            "Jira server", False, "Jira failed while reading serverInfo (503: Jira is restarting)"
        ),
        Health(
            "Jira login",
            False,
            f"Jira at {fake.url} refused sopbot's login (401: Client must be authenticated to "
            "access this resource): check SOPBOT_JIRA_EMAIL and SOPBOT_JIRA_API_TOKEN",
        ),
    ]
