"""The demo data set: people, customers and work items that let every sample SOP show its
paths. docs/sandbox.md lists what is here.

Times are written relative to the moment of seeding (``now-3h``, ``now+1h50m``,
``today-35d``), so an
invoice is 35 days overdue on the day the sandbox is seeded and the data is deterministic
for a given ``now``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from bot.connectors.sandbox import calendar, crm, hr, jira, orders
from bot.connectors.sandbox.people import CHANNELS, GROUPS, USERS
from bot.connectors.sandbox.store import COUNTERS, Document, Kind, iso
from bot.procedure.durations import parse_duration

Record = tuple[Kind, str, Document]
_RELATIVE = re.compile(r"^(?P<anchor>now|today)(?P<sign>[+-])(?P<offset>\w+)$")

# fmt: off
# id, console handle, name, title, supervisor, PTO days left, team channel
STAFF = (
    ("U01MARIA", "maria", "Maria", "Ops lead", "U05VP", 18.0, "C01OPS"),
    ("U02DEV", "dev", "Dev", "Support agent", "U04LEE", 12.5, "C02SUPPORT"),
    ("U03SAM", "sam", "Sam", "Finance lead", "U05VP", 9.0, "C04FINANCE"),
    ("U04LEE", "lee", "Lee", "Support team lead", "U05VP", 15.0, "C02SUPPORT"),
    ("U05VP", "val", "Val", "VP Support", "U01MARIA", 25.0, "C02SUPPORT"),
    ("U06ANA", "ana", "Ana", "Account manager", "U01MARIA", 3.0, "C01OPS"),
    ("U07KAI", "kai", "Kai", "Engineer", "U01MARIA", 22.0, "C01OPS"),
)
USER_GROUPS = (
    ("S01FINANCE", "finance", "Finance approvers", ["U03SAM", "U01MARIA"]),
    ("S02SUPPORTLEADS", "support-leads", "Support leads", ["U04LEE", "U05VP"]),
)
SLACK_CHANNELS = (
    ("C01OPS", "ops", ["U01MARIA", "U03SAM", "U06ANA", "U07KAI"]),
    ("C02SUPPORT", "support", ["U01MARIA", "U02DEV", "U04LEE", "U05VP"]),
    ("C03VP", "vp-escalations", ["U04LEE", "U05VP"]),
    ("C04FINANCE", "finance", ["U01MARIA", "U03SAM"]),
)

_ACCOUNTS: list[Document] = [
    {"id": "acme", "name": "Acme Logistics", "tier": "enterprise", "owner": "U06ANA",
     "risk_score": 20, "arr": 240000.0, "contact_email": "ops@acme-logistics.example"},
    {"id": "globex", "name": "Globex Retail", "tier": "enterprise", "owner": "U06ANA",
     "risk_score": 45, "arr": 180000.0, "contact_email": "it@globex-retail.example"},
    {"id": "initech", "name": "Initech Software", "tier": "pro", "owner": "U06ANA",
     "risk_score": 30, "arr": 24000.0, "contact_email": "admin@initech.example"},
    {"id": "pioneer", "name": "Pioneer Foods", "tier": "pro", "owner": "U06ANA",
     "risk_score": 10, "arr": 0.0, "contact_email": "team@pioneer-foods.example"},
    {"id": "bluebird", "name": "Bluebird Bakery", "tier": "free", "owner": "U06ANA",
     "risk_score": 60, "arr": 0.0, "contact_email": "hello@bluebird-bakery.example"},
    {"id": "vandelay", "name": "Vandelay Imports", "tier": "free", "owner": "U06ANA",
     "risk_score": 95, "arr": 0.0, "contact_email": "art@vandelay.example",
     "churned_at": "now-3d"},
]
_DEALS: list[Document] = [
    {"id": "D-301", "name": "Pioneer Foods, annual Pro plan", "account_id": "pioneer",
     "stage": "negotiation", "amount": 36000.0, "owner": "U06ANA", "created_at": "now-20d"},
    {"id": "D-302", "name": "Globex Retail, 200 more seats", "account_id": "globex",
     "stage": "closed_won", "amount": 54000.0, "owner": "U06ANA", "created_at": "now-40d",
     "closed_at": "now-2d"},
    {"id": "D-303", "name": "Initech, Enterprise upgrade", "account_id": "initech",
     "stage": "proposal", "amount": 60000.0, "owner": "U06ANA", "created_at": "now-3d"},
    {"id": "D-304", "name": "Bluebird Bakery, Pro trial", "account_id": "bluebird",
     "stage": "qualification", "amount": 1200.0, "owner": "U06ANA", "created_at": "now-5d"},
    {"id": "D-305", "name": "Vandelay Imports, renewal", "account_id": "vandelay",
     "stage": "closed_lost", "amount": 9000.0, "owner": "U06ANA", "created_at": "now-60d",
     "closed_at": "now-10d"},
]
_ORDERS: list[Document] = [
    {"id": "1042", "account_id": "acme", "total": 640.0, "currency": "USD", "status": "delivered",
     "customer_email": "jordan.lee@acme-logistics.example", "refunded": 0.0, "refunds": [],
     "placed_at": "now-9d"},
    {"id": "1043", "account_id": "initech", "total": 120.0, "currency": "USD",
     "status": "delivered", "customer_email": "priya@initech.example", "refunded": 0.0,
     "refunds": [], "placed_at": "now-6d"},
    {"id": "1044", "account_id": "bluebird", "total": 89.0, "currency": "USD",
     "status": "refunded", "customer_email": "hello@bluebird-bakery.example", "refunded": 89.0,
     "refunds": [{"refund_id": "RF-0001", "amount": 89.0, "reason": "Damaged on arrival",
                  "at": "now-4d"}],
     "placed_at": "now-12d"},
    {"id": "1045", "account_id": "globex", "total": 2450.0, "currency": "USD",
     "status": "delivered", "customer_email": "ap@globex-retail.example", "refunded": 0.0,
     "refunds": [], "placed_at": "now-3d"},
]
# First response is due 2 h after creation on enterprise, 8 h on pro, 24 h on free plans.
_TICKETS: list[Document] = [
    {"id": "T-501", "account_id": "acme", "subject": "Exported manifests drop the last row",
     "priority": "high", "tags": ["product-bug", "export"], "status": "open",
     "assignee": "U02DEV", "created_at": "now-3h", "first_response_due_at": "now-1h",
     "first_response_at": "now-2h30m"},
    {"id": "T-502", "account_id": "globex",
     "subject": "Nobody can log in with SSO since this morning", "priority": "urgent",
     "tags": ["sso", "login"], "status": "new", "assignee": None, "created_at": "now-10m",
     "first_response_due_at": "now+1h50m", "first_response_at": None},
    {"id": "T-503", "account_id": "bluebird", "subject": "The recipe export button does nothing",
     "priority": "normal", "tags": ["product-bug"], "status": "open", "assignee": "U02DEV",
     "created_at": "now-26h", "first_response_due_at": "now-2h", "first_response_at": "now-21h"},
    {"id": "T-504", "account_id": "initech",
     "subject": "The invoice PDF shows the wrong VAT number", "priority": "normal",
     "tags": ["billing"], "status": "pending", "assignee": "U02DEV", "created_at": "now-2d",
     "first_response_due_at": "now-1d16h", "first_response_at": "now-1d"},
    {"id": "T-495", "account_id": "acme", "subject": "How do I add a user to our workspace?",
     "priority": "low", "tags": ["how-to"], "status": "solved", "assignee": "U02DEV",
     "created_at": "now-3d", "first_response_due_at": "now-2d22h",
     "first_response_at": "now-2d23h", "solved_at": "now-2d", "csat": "good"},
    {"id": "T-496", "account_id": "globex", "subject": "Webhook retries arrive out of order",
     "priority": "normal", "tags": ["api"], "status": "solved", "assignee": "U04LEE",
     "created_at": "now-5d", "first_response_due_at": "now-4d22h",
     "first_response_at": "now-4d23h", "solved_at": "now-4d", "csat": "good"},
    {"id": "T-497", "account_id": "bluebird", "subject": "Password reset email never arrives",
     "priority": "low", "tags": ["login"], "status": "solved", "assignee": "U02DEV",
     "created_at": "now-2d12h", "first_response_due_at": "now-1d12h",
     "first_response_at": "now-1d6h", "solved_at": "now-20h", "csat": "bad"},
    {"id": "T-498", "account_id": "initech", "subject": "Add our second billing address",
     "priority": "low", "tags": ["billing"], "status": "solved", "assignee": "U02DEV",
     "created_at": "now-7d", "first_response_due_at": "now-6d16h",
     "first_response_at": "now-6d22h", "solved_at": "now-6d", "csat": "good"},
]
_INVOICES: list[Document] = [
    {"id": "INV-2001", "account_id": "initech", "amount": 2000.0, "currency": "USD",
     "due_date": "today-10d", "status": "open", "contact_email": "billing@initech.example"},
    {"id": "INV-2002", "account_id": "globex", "amount": 15000.0, "currency": "USD",
     "due_date": "today-35d", "status": "open", "contact_email": "ap@globex-retail.example"},
    {"id": "INV-2003", "account_id": "vandelay", "amount": 750.0, "currency": "USD",
     "due_date": "today-70d", "status": "open", "contact_email": "art@vandelay.example"},
    {"id": "INV-2004", "account_id": "acme", "amount": 20000.0, "currency": "USD",
     "due_date": "today-5d", "status": "paid", "contact_email": "ap@acme-logistics.example",
     "paid_at": "now-7d"},
]
_CLAIMS: list[Document] = [
    {"id": "CL-7001", "account_id": "acme", "carrier": "Rapid Freight", "amount": 3200.0,
     "status": "open", "evidence_received": False,
     "contact_email": "claims@acme-logistics.example",
     "description": "Pallet crushed in transit (shipment SHP-88213)", "filed_at": "now-1d",
     "history": []},
    {"id": "CL-7002", "account_id": "globex", "carrier": "Northstar Haulage", "amount": 7800.0,
     "status": "open", "evidence_received": False,
     "contact_email": "logistics@globex-retail.example",
     "description": "Refrigerated load spoiled when the reefer unit failed (shipment SHP-90117)",
     "filed_at": "now-1d", "history": []},
]
_MEETINGS: list[Document] = [
    {"id": "M-801", "title": "Acme Logistics quarterly business review", "organizer": "U06ANA",
     "ended_at": "now-5h", "account_id": "acme",
     "attendees": ["jordan.lee@acme-logistics.example", "ops@acme-logistics.example"],
     "notes": "Agreed: pilot the customs module in January; Acme sends sample manifests by "
              "Friday; Ana shares pricing for 50 more seats."},
    {"id": "M-802", "title": "Globex Retail SSO rollout check-in", "organizer": "U06ANA",
     "ended_at": "now-4h", "account_id": "globex", "attendees": ["it@globex-retail.example"],
     "notes": None},
]
_PROJECTS: list[Document] = [
    {"key": "BUG", "name": "Product bugs", "last_number": 100},
    {"key": "ONB", "name": "Customer onboarding", "last_number": 100},
    {"key": "OPS", "name": "Operations", "last_number": 100},
]
_ISSUES: list[Document] = [
    {"key": "BUG-100", "project": "BUG", "summary": "Report colours are wrong in dark mode",
     "description": "Charts on the reports page keep their light-mode colours.",
     "issue_type": "Bug", "priority": "Low", "labels": ["ui"], "status": "In Progress",
     "assignee": "U07KAI", "comments": [], "url": jira.BROWSE_URL + "BUG-100",
     "created_at": "now-12d"},
]
# fmt: on


def demo_records(now: dt.datetime) -> list[Record]:
    """Every record of the demo, as (kind, key, document), times resolved against ``now``."""
    records: list[Record] = [
        *_keyed(USERS, "id", _users()),
        *_keyed(hr.EMPLOYEES, "user", _employees()),
        *_keyed(GROUPS, "id", _groups()),
        *_keyed(CHANNELS, "id", _channels()),
        *_keyed(crm.ACCOUNTS, "id", _ACCOUNTS),
        *_keyed(crm.DEALS, "id", _DEALS),
        *_keyed(orders.ORDERS, "id", _ORDERS),
        *_keyed(crm.TICKETS, "id", _TICKETS),
        *_keyed(crm.INVOICES, "id", _INVOICES),
        *_keyed(crm.CLAIMS, "id", _CLAIMS),
        *_keyed(calendar.MEETINGS, "id", _MEETINGS),
        *_keyed(jira.PROJECTS, "key", _PROJECTS),
        *_keyed(jira.ISSUES, "key", _ISSUES),
        (COUNTERS, "crm.refund", {"last": 1}),  # RF-0001 is the seeded refund on order 1044
    ]
    return [(kind, key, _resolve(document, now)) for kind, key, document in records]


def _keyed(kind: Kind, field: str, documents: list[Document]) -> list[Record]:
    return [(kind, str(document[field]), document) for document in documents]


def _users() -> list[Document]:
    return [
        {
            "id": id_,
            "handle": handle,
            "name": name,
            "title": title,
            "email": f"{handle}@example.com",
        }
        for id_, handle, name, title, *_ in STAFF
    ]


def _employees() -> list[Document]:
    return [
        {
            "user": id_,
            "name": name,
            "title": title,
            "supervisor": supervisor,
            "pto_days_left": pto_days_left,
            "team_channel": team_channel,
        }
        for id_, _, name, title, supervisor, pto_days_left, team_channel in STAFF
    ]


def _groups() -> list[Document]:
    return [
        {"id": id_, "handle": handle, "name": name, "members": members}
        for id_, handle, name, members in USER_GROUPS
    ]


def _channels() -> list[Document]:
    return [
        {"id": id_, "name": name, "private": False, "members": members}
        for id_, name, members in SLACK_CHANNELS
    ]


def _resolve(value: Any, now: dt.datetime) -> Any:
    """A deep copy with ``now-3h`` as an ISO time and ``today-35d`` as an ISO date."""
    if isinstance(value, dict):
        return {key: _resolve(item, now) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, now) for item in value]
    relative = _RELATIVE.match(value) if isinstance(value, str) else None
    if relative is None:
        return value
    offset = parse_duration(relative["offset"])
    moment = now + offset if relative["sign"] == "+" else now - offset
    return iso(moment if relative["anchor"] == "now" else moment.date())
