"""What ``sopbot doctor`` learns from Jira, read-only: the server answers, sopbot's login
works (and as whom), the account holds the permissions the ``jira.*`` operations need, and
Jira's clock agrees with ours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from jira import JIRA
from pydantic import Field

from bot.catalogue.operation import Health
from bot.connectors.jira.faults import FAULTS, tool_error
from bot.connectors.jira.replies import Answer, read
from bot.connectors.jira.settings import JiraConfig

T = TypeVar("T")
PERMISSIONS = {
    "BROWSE_PROJECTS": "jira.get_issue and jira.search_issues",
    "CREATE_ISSUES": "jira.create_issue",
    "ADD_COMMENTS": "jira.add_comment",
    "TRANSITION_ISSUES": "jira.transition_issue",
    "ASSIGN_ISSUES": "jira.assign_issue",
}
MAX_SKEW = dt.timedelta(seconds=60)
"""Beyond this, times in Jira and in sopbot's audit trail disagree enough to mislead."""


class ServerInfo(Answer):
    version: str = "?"
    deployment_type: str | None = Field(default=None, alias="deploymentType")
    server_time: str | None = Field(default=None, alias="serverTime")


class Myself(Answer):
    """Cloud names an ``accountId``, Server a user ``name``."""

    display_name: str | None = Field(default=None, alias="displayName")
    name: str | None = None
    account_id: str | None = Field(default=None, alias="accountId")
    email_address: str | None = Field(default=None, alias="emailAddress")


class Permission(Answer):
    have_permission: bool = Field(default=False, alias="havePermission")


class Permissions(Answer):
    permissions: dict[str, Permission] | None = None


def health(client: JIRA, config: JiraConfig, now: Callable[[], dt.datetime]) -> list[Health]:
    """One ``Health`` per thing checked; a failing request is a failed check, never raised."""
    checks: list[Health] = []
    info = _ask(
        checks,
        "Jira server",
        config,
        "reading serverInfo",
        lambda: read(ServerInfo, client.server_info(), "serverInfo"),
    )
    if info is not None:
        kind = info.deployment_type or config.deployment
        checks.append(Health("Jira server", True, f"Jira {kind} {info.version} at {config.url}"))
        checks.append(_clock(info, now()))
    me = _ask(
        checks,
        "Jira login",
        config,
        "reading /myself",
        lambda: read(Myself, client.myself(), "myself"),
    )
    if me is not None:
        name = me.display_name or me.name or "?"
        who = me.account_id or me.name or me.email_address or "?"
        checks.append(Health("Jira login", True, f"logged in as {name} ({who})"))
        granted = _ask(
            checks,
            "Jira permissions",
            config,
            "reading mypermissions",
            lambda: read(
                Permissions,
                client.my_permissions(permissions=",".join(PERMISSIONS)),
                "mypermissions",
            ),
        )
        if granted is not None:
            checks.append(_permissions(granted))
    return checks


def _ask(
    checks: list[Health],
    subject: str,
    config: JiraConfig,
    doing: str,
    request: Callable[[], T],
) -> T | None:
    """``request``'s answer as read, or None with the failure added to ``checks``."""
    try:
        return request()
    except FAULTS as error:
        checks.append(Health(subject, False, str(tool_error(error, config, doing, doing))))
        return None


def _clock(info: ServerInfo, ours: dt.datetime) -> Health:
    stamp = info.server_time or ""
    try:
        theirs = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z")
    except ValueError:
        return Health("Jira clock", False, f"serverInfo has no readable serverTime ('{stamp}')")
    skew = theirs - ours
    seconds = abs(skew.total_seconds())
    side = "ahead of" if skew > dt.timedelta(0) else "behind"
    if seconds <= MAX_SKEW.total_seconds():
        return Health("Jira clock", True, f"Jira's clock is within {seconds:.0f}s of ours")
    return Health(
        "Jira clock",
        False,
        f"Jira's clock is {seconds:.0f}s {side} ours (at most {MAX_SKEW.seconds}s is fine): "
        "check NTP on this host, or tell your Jira admin",
    )


def _permissions(granted: Permissions) -> Health:
    table = granted.permissions or {}
    lacking = [
        f"{key} ({needed_by})"
        for key, needed_by in PERMISSIONS.items()
        if key not in table or not table[key].have_permission
    ]
    if lacking:
        return Health(
            "Jira permissions",
            False,
            f"sopbot's account lacks {', '.join(lacking)}: ask a Jira admin to grant them in "
            "the projects your SOPs use",
        )
    return Health("Jira permissions", True, f"granted: {', '.join(PERMISSIONS)}")
