"""Sandbox CRM KPIs, counted from the records themselves so that they move as runs change
tickets and deals, and as the console's clock moves on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot.catalogue.builtin.crm import Metrics, MetricsArgs
from bot.connectors.sandbox.crm import ACCOUNTS, DEALS, TICKETS, WON_DEAL_STAGES
from bot.connectors.sandbox.store import Document, Handler, Store, parse_time

PERIODS = {
    "last_day": dt.timedelta(days=1),
    "last_week": dt.timedelta(days=7),
    "last_month": dt.timedelta(days=30),
}
OPEN_TICKET_STATUSES = ("new", "open", "pending")


def get_metrics(store: Store, args: MetricsArgs, now: dt.datetime) -> Metrics:
    start = now - PERIODS[args.period]

    def within(value: Any) -> bool:
        return isinstance(value, str) and start <= parse_time(value) <= now

    deals = store.all(DEALS)
    tickets = store.all(TICKETS)
    rated = [
        ticket["csat"]
        for ticket in tickets
        if ticket.get("csat") and within(ticket.get("solved_at"))
    ]
    return Metrics(
        period=args.period,
        new_deals=sum(within(deal["created_at"]) for deal in deals),
        won_revenue=sum(
            deal["amount"]
            for deal in deals
            if deal["stage"] in WON_DEAL_STAGES and within(deal.get("closed_at"))
        ),
        open_tickets=sum(ticket["status"] in OPEN_TICKET_STATUSES for ticket in tickets),
        sla_breaches=sum(_breached_within(ticket, start, now) for ticket in tickets),
        churned_accounts=sum(within(account.get("churned_at")) for account in store.all(ACCOUNTS)),
        csat=round(100 * rated.count("good") / len(rated), 1) if rated else 0.0,
    )


def _breached_within(ticket: Document, start: dt.datetime, now: dt.datetime) -> bool:
    """A first-response deadline that fell in the period and was missed."""
    due = ticket.get("first_response_due_at")
    if due is None or not start <= parse_time(due) <= now:
        return False
    answered = ticket.get("first_response_at")
    return answered is None or parse_time(answered) > parse_time(due)


HANDLERS: Mapping[str, Handler] = {"crm.get_metrics": get_metrics}
