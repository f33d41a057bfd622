"""CRM operations: accounts, deals, orders and refunds, tickets, invoices, claims, metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from bot.catalogue.operation import Args, ConnectorSpec, Operation, Result

Tier = Literal["free", "pro", "enterprise"]


class AccountArgs(Args):
    account_id: str


class Account(Result):
    id: str
    name: str
    tier: Tier
    owner: str = Field(description="Slack user ID of the account owner")
    risk_score: int = Field(ge=0, le=100)
    arr: float
    contact_email: str


class DealArgs(Args):
    deal_id: str


class Deal(Result):
    id: str
    name: str
    account_id: str
    stage: str
    amount: float
    owner: str


class UpdateDealArgs(Args):
    deal_id: str
    stage: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)


class OrderArgs(Args):
    order_id: str


class Order(Result):
    id: str
    account_id: str
    total: float
    currency: str
    status: str
    customer_email: str


class RefundArgs(Args):
    order_id: str
    amount: float = Field(gt=0)
    reason: str


class Refund(Result):
    refund_id: str
    order_id: str
    amount: float
    status: str


class TicketArgs(Args):
    ticket_id: str


class Ticket(Result):
    id: str
    account_id: str
    subject: str
    priority: str
    tags: list[str] = Field(default_factory=list)
    status: str
    assignee: str | None = None
    first_response_at: dt.datetime | None = None


class UpdateTicketArgs(Args):
    ticket_id: str
    assignee: str | None = None
    status: str | None = None
    priority: str | None = None


class AddNoteArgs(Args):
    object_type: Literal["account", "deal", "ticket", "invoice", "claim"]
    object_id: str
    body: str


class NoteRef(Result):
    id: str


class SetRiskArgs(Args):
    account_id: str
    score: int = Field(ge=0, le=100)
    reason: str


class CreateTaskArgs(Args):
    account_id: str
    title: str
    owner: str
    due_in_days: int = Field(default=3, ge=0)


class TaskRef(Result):
    id: str


class InvoiceArgs(Args):
    invoice_id: str


class Invoice(Result):
    id: str
    account_id: str
    amount: float
    currency: str
    due_date: dt.date
    status: Literal["open", "paid", "void"]
    days_overdue: int
    contact_email: str


class ClaimArgs(Args):
    claim_id: str


class Claim(Result):
    id: str
    account_id: str
    carrier: str
    amount: float
    status: Literal["open", "approved", "denied", "paid"]
    evidence_received: bool
    contact_email: str


class UpdateClaimArgs(Args):
    claim_id: str
    status: Literal["open", "approved", "denied", "paid"]


class MetricsArgs(Args):
    period: Literal["last_day", "last_week", "last_month"] = "last_week"


class Metrics(Result):
    period: str
    new_deals: int
    won_revenue: float
    open_tickets: int
    sla_breaches: int
    churned_accounts: int
    csat: float


SPEC = ConnectorSpec(
    namespace="crm",
    title="CRM",
    operations=(
        Operation(
            "crm.get_account",
            "Read an account",
            AccountArgs,
            Account,
            writes=False,
            idempotent=True,
        ),
        Operation("crm.get_deal", "Read a deal", DealArgs, Deal, writes=False, idempotent=True),
        Operation(
            "crm.update_deal",
            "Change a deal's stage or fields",
            UpdateDealArgs,
            Deal,
            writes=True,
            idempotent=True,
        ),
        Operation(
            "crm.get_order", "Read an order", OrderArgs, Order, writes=False, idempotent=True
        ),
        Operation(
            "crm.refund",
            "Refund (part of) an order",
            RefundArgs,
            Refund,
            writes=True,
            idempotent=False,
            accepts_idempotency_key=True,
        ),
        Operation(
            "crm.get_ticket",
            "Read a support ticket",
            TicketArgs,
            Ticket,
            writes=False,
            idempotent=True,
        ),
        Operation(
            "crm.update_ticket",
            "Assign or change a ticket",
            UpdateTicketArgs,
            Ticket,
            writes=True,
            idempotent=True,
        ),
        Operation(
            "crm.add_note",
            "Add a note to a record",
            AddNoteArgs,
            NoteRef,
            writes=True,
            idempotent=False,
            text_args=("body",),
            accepts_idempotency_key=True,
        ),
        Operation(
            "crm.set_risk",
            "Set an account's risk score",
            SetRiskArgs,
            Account,
            writes=True,
            idempotent=True,
        ),
        Operation(
            "crm.create_task",
            "Create a task for an account owner",
            CreateTaskArgs,
            TaskRef,
            writes=True,
            idempotent=False,
            accepts_idempotency_key=True,
        ),
        Operation(
            "crm.get_invoice",
            "Read an invoice",
            InvoiceArgs,
            Invoice,
            writes=False,
            idempotent=True,
        ),
        Operation(
            "crm.get_claim", "Read a freight claim", ClaimArgs, Claim, writes=False, idempotent=True
        ),
        Operation(
            "crm.update_claim",
            "Change a claim's status",
            UpdateClaimArgs,
            Claim,
            writes=True,
            idempotent=True,
        ),
        Operation(
            "crm.get_metrics",
            "Read team KPIs for a period",
            MetricsArgs,
            Metrics,
            writes=False,
            idempotent=True,
        ),
    ),
)
