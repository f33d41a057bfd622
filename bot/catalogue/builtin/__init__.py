"""Declarations of the built-in connectors' operations (implementations live elsewhere)."""

from bot.catalogue.builtin import calendar, crm, email, hr, http, jira, slack
from bot.catalogue.operation import ConnectorSpec

BUILTIN_CONNECTORS: tuple[ConnectorSpec, ...] = (
    jira.SPEC,
    crm.SPEC,
    email.SPEC,
    slack.SPEC,
    http.SPEC,
    calendar.SPEC,
    hr.SPEC,
)
