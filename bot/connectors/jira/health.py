"""What ``sopbot doctor`` learns from Jira, read-only: the server answers, sopbot's login
works (and as whom), the account holds the permissions the ``jira.*`` operations need, and
Jira's clock agrees with ours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from jira import JIRA

from bot.catalogue.operation import Health
from bot.connectors.jira.faults import FAULTS, tool_error
from bot.connectors.jira.settings import JiraConfig

PERMISSIONS = {
    "BROWSE_PROJECTS": "jira.get_issue and jira.search_issues",
    "CREATE_ISSUES": "jira.create_issue",
    "ADD_COMMENTS": "jira.add_comment",
    "TRANSITION_ISSUES": "jira.transition_issue",
    "ASSIGN_ISSUES": "jira.assign_issue",
}
MAX_SKEW = dt.timedelta(seconds=60)
"""Beyond this, times in Jira and in sopbot's audit trail disagree enough to mislead."""


def health(client: JIRA, config: JiraConfig, now: Callable[[], dt.datetime]) -> list[Health]:
    """One ``Health`` per thing checked; a failing request is a failed check, never raised."""
    checks: list[Health] = []
    info = _ask(checks, "Jira server", config, "reading serverInfo", client.server_info)
    if info is not None:
        checks.append(
            Health(
                "Jira server",
                True,
                f"Jira {info.get('deploymentType', config.deployment)} "
                f"{info.get('version', '?')} at {config.url}",
            )
        )
        checks.append(_clock(info, now()))
    me = _ask(checks, "Jira login", config, "reading /myself", client.myself)
    if me is not None:
        name = me.get("displayName") or me.get("name") or "?"
        who = me.get("accountId") or me.get("name") or me.get("emailAddress") or "?"
        checks.append(Health("Jira login", True, f"logged in as {name} ({who})"))
        granted = _ask(
            checks,
            "Jira permissions",
            config,
            "reading mypermissions",
            lambda: client.my_permissions(permissions=",".join(PERMISSIONS)),
        )
        if granted is not None:
            checks.append(_permissions(granted))
    return checks


def _ask(
    checks: list[Health],
    subject: str,
    config: JiraConfig,
    doing: str,
    request: Callable[[], Any],
) -> dict[str, Any] | None:
    """``request``'s answer, or None with the failure added to ``checks``."""
    try:
        answer = request()
    except FAULTS as error:
        checks.append(Health(subject, False, str(tool_error(error, config, doing, doing))))
        return None
    if not isinstance(answer, dict):
        checks.append(Health(subject, False, f"Jira answered {doing} with no object"))
        return None
    return answer


def _clock(info: dict[str, Any], ours: dt.datetime) -> Health:
    stamp = str(info.get("serverTime") or "")
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


def _permissions(granted: dict[str, Any]) -> Health:
    table = granted.get("permissions") or {}
    lacking = [
        f"{key} ({needed_by})"
        for key, needed_by in PERMISSIONS.items()
        if not (table.get(key) or {}).get("havePermission")
    ]
    if lacking:
        return Health(
            "Jira permissions",
            False,
            f"sopbot's account lacks {', '.join(lacking)}: ask a Jira admin to grant them in "
            "the projects your SOPs use",
        )
    return Health("Jira permissions", True, f"granted: {', '.join(PERMISSIONS)}")
