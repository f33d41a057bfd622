"""The sandbox CRM: accounts, deals, tickets, invoices, freight claims, notes and tasks.

Orders and refunds live in ``orders.py`` and the KPI figures in ``metrics.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from pydantic import ValidationError

from bot.catalogue.builtin.crm import (
    Account,
    AddNoteArgs,
    Claim,
    CreateTaskArgs,
    Deal,
    Invoice,
    InvoiceArgs,
    NoteRef,
    SetRiskArgs,
    TaskRef,
    Ticket,
    UpdateClaimArgs,
    UpdateDealArgs,
    UpdateTicketArgs,
)
from bot.connectors.base import ToolError
from bot.connectors.sandbox.people import require_user
from bot.connectors.sandbox.store import Handler, Kind, Store, iso, record_reader

ACCOUNTS = Kind("crm.accounts", "account", "CRM")
DEALS = Kind("crm.deals", "deal", "CRM")
TICKETS = Kind("crm.tickets", "ticket", "CRM")
INVOICES = Kind("crm.invoices", "invoice", "CRM")
CLAIMS = Kind("crm.claims", "claim", "CRM")
NOTES = Kind("crm.notes", "note", "CRM")
TASKS = Kind("crm.tasks", "task", "CRM")

OPEN_DEAL_STAGES = ("prospecting", "qualification", "proposal", "negotiation")
WON_DEAL_STAGES = ("closed_won", "onboarded")  # onboarded: won, and the client is live
DEAL_STAGES = (*OPEN_DEAL_STAGES, *WON_DEAL_STAGES, "closed_lost")
TICKET_STATUSES = ("new", "open", "pending", "solved", "closed")
TICKET_PRIORITIES = ("low", "normal", "high", "urgent")
_NOTE_TARGETS = {
    "account": ACCOUNTS,
    "deal": DEALS,
    "ticket": TICKETS,
    "invoice": INVOICES,
    "claim": CLAIMS,
}


def one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    """Refuse a value the tool does not know, listing the ones it does."""
    if value not in allowed:
        raise ToolError(f"'{value}' is not a {what} in the sandbox CRM ({', '.join(allowed)})")
    return value


def set_risk(store: Store, args: SetRiskArgs, now: dt.datetime) -> Account:
    account = store.require(ACCOUNTS, args.account_id)
    account.update(risk_score=args.score, risk_reason=args.reason, risk_updated_at=iso(now))
    store.save(ACCOUNTS, args.account_id, account, now)
    return Account.model_validate(account)


def update_deal(store: Store, args: UpdateDealArgs, now: dt.datetime) -> Deal:
    deal = store.require(DEALS, args.deal_id)
    if args.fields.get("id", deal["id"]) != deal["id"]:
        raise ToolError(f"a deal's id cannot change (deal {deal['id']})")
    was_open = deal["stage"] in OPEN_DEAL_STAGES
    deal.update(args.fields)
    if args.stage is not None:
        deal["stage"] = args.stage
    one_of(deal["stage"], DEAL_STAGES, "deal stage")
    if was_open and deal["stage"] not in OPEN_DEAL_STAGES:
        deal["closed_at"] = iso(now)
    try:
        updated = Deal.model_validate(deal)
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise ToolError(f"deal {deal['id']}: field '{field}': {problem['msg']}") from None
    store.save(DEALS, args.deal_id, deal, now)
    return updated


def update_ticket(store: Store, args: UpdateTicketArgs, now: dt.datetime) -> Ticket:
    ticket = store.require(TICKETS, args.ticket_id)
    if args.assignee is not None:
        ticket["assignee"] = require_user(store, args.assignee)["id"]
    if args.priority is not None:
        ticket["priority"] = one_of(args.priority, TICKET_PRIORITIES, "ticket priority")
    if args.status is not None:
        status = one_of(args.status, TICKET_STATUSES, "ticket status")
        if status == "solved" and ticket["status"] != "solved":
            ticket["solved_at"] = iso(now)
        ticket["status"] = status
    store.save(TICKETS, args.ticket_id, ticket, now)
    return Ticket.model_validate(ticket)


def get_invoice(store: Store, args: InvoiceArgs, now: dt.datetime) -> Invoice:
    invoice = store.require(INVOICES, args.invoice_id)
    late = (now.date() - dt.date.fromisoformat(invoice["due_date"])).days
    return Invoice.model_validate(
        {**invoice, "days_overdue": max(late, 0) if invoice["status"] == "open" else 0}
    )


def update_claim(store: Store, args: UpdateClaimArgs, now: dt.datetime) -> Claim:
    claim = store.require(CLAIMS, args.claim_id)
    if claim["status"] != args.status:
        claim["history"].append({"from": claim["status"], "to": args.status, "at": iso(now)})
        claim["status"] = args.status
    store.save(CLAIMS, args.claim_id, claim, now)
    return Claim.model_validate(claim)


def add_note(store: Store, args: AddNoteArgs, now: dt.datetime) -> NoteRef:
    store.require(_NOTE_TARGETS[args.object_type], args.object_id)
    note_id = f"NOTE-{store.next_number('crm.note', now):04d}"
    note = {
        "id": note_id,
        "object_type": args.object_type,
        "object_id": args.object_id,
        "body": args.body,
        "created_at": iso(now),
    }
    store.save(NOTES, note_id, note, now)
    return NoteRef(id=note_id)


def create_task(store: Store, args: CreateTaskArgs, now: dt.datetime) -> TaskRef:
    store.require(ACCOUNTS, args.account_id)
    owner = require_user(store, args.owner)["id"]
    task_id = f"TASK-{store.next_number('crm.task', now):04d}"
    task = {
        "id": task_id,
        "account_id": args.account_id,
        "title": args.title,
        "owner": owner,
        "due_date": iso(now.date() + dt.timedelta(days=args.due_in_days)),
        "status": "open",
        "created_at": iso(now),
    }
    store.save(TASKS, task_id, task, now)
    return TaskRef(id=task_id)


HANDLERS: Mapping[str, Handler] = {
    "crm.get_account": record_reader(ACCOUNTS, Account, "account_id"),
    "crm.set_risk": set_risk,
    "crm.get_deal": record_reader(DEALS, Deal, "deal_id"),
    "crm.update_deal": update_deal,
    "crm.get_ticket": record_reader(TICKETS, Ticket, "ticket_id"),
    "crm.update_ticket": update_ticket,
    "crm.get_invoice": get_invoice,
    "crm.get_claim": record_reader(CLAIMS, Claim, "claim_id"),
    "crm.update_claim": update_claim,
    "crm.add_note": add_note,
    "crm.create_task": create_task,
}
