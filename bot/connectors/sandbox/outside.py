"""Changes that come from outside the bot: a customer pays an invoice, a carrier sends
evidence, someone writes up meeting notes, an agent answers a ticket.

No built-in operation does these (the bot only waits for them), so scenario tests and the
console make them here. They are not tool calls: the call log does not show them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from bot.catalogue.builtin.calendar import Meeting
from bot.catalogue.builtin.crm import Account, Claim, Deal, Invoice, Order, Ticket
from bot.catalogue.builtin.hr import Employee
from bot.catalogue.builtin.jira import Issue
from bot.catalogue.operation import Result
from bot.connectors.sandbox import calendar, crm, hr, jira, orders
from bot.connectors.sandbox.store import Document, Kind, Store, take_write_lock
from storage.database import Database


@dataclass(frozen=True)
class Changeable:
    """A kind of record the outside world changes, its key field and the model it reads as."""

    kind: Kind
    key_field: str
    model: type[Result]


CHANGEABLE: Mapping[str, Changeable] = {
    "account": Changeable(crm.ACCOUNTS, "id", Account),
    "deal": Changeable(crm.DEALS, "id", Deal),
    "order": Changeable(orders.ORDERS, "id", Order),
    "ticket": Changeable(crm.TICKETS, "id", Ticket),
    "invoice": Changeable(crm.INVOICES, "id", Invoice),
    "claim": Changeable(crm.CLAIMS, "id", Claim),
    "meeting": Changeable(calendar.MEETINGS, "id", Meeting),
    "employee": Changeable(hr.EMPLOYEES, "user", Employee),
    "issue": Changeable(jira.ISSUES, "key", Issue),
}


def change_record(
    database: Database, now: dt.datetime, record: str, key: str, changes: Mapping[str, Any]
) -> Document:
    """Set fields of one record (``invoice``, ``INV-2002``, ``{"status": "paid"}``); the result.

    Only existing fields can change, to values their tool accepts, so a typo is refused
    instead of stored.
    """
    if record not in CHANGEABLE:
        raise ValueError(f"the sandbox cannot change a '{record}' ({', '.join(CHANGEABLE)})")
    changeable = CHANGEABLE[record]
    with database.session() as session:
        take_write_lock(session)
        store = Store(session)
        document = store.find(changeable.kind, key)
        if document is None:
            raise ValueError(str(changeable.kind.missing(key)))
        for field, value in changes.items():
            document[field] = _checked(f"{record} {key}", changeable, document, field, value)
        store.save(changeable.kind, key, document, now)
    return document


def _checked(name: str, changeable: Changeable, document: Document, field: str, value: Any) -> Any:
    """The value as stored, after the checks its field asks for."""
    if field == changeable.key_field:
        raise ValueError(f"{name}: the {field} cannot change")
    if field not in document:
        raise ValueError(f"{name} has no field '{field}' (fields: {', '.join(sorted(document))})")
    declared = changeable.model.model_fields.get(field)
    if declared is not None:
        field_type: Any = Annotated[declared.annotation, declared]  # the type and its limits
        adapter: TypeAdapter[Any] = TypeAdapter(field_type)
        try:
            return adapter.dump_python(adapter.validate_python(value), mode="json")
        except ValidationError as error:
            raise ValueError(f"{name} {field}: {error.errors()[0]['msg']}") from None
    old = document[field]
    if old is not None and value is not None and type(old) is not type(value):
        raise ValueError(f"{name} {field} holds {type(old).__name__} values, not {value!r}")
    return value
