"""The sandbox HR system: employees with supervisors and PTO balances, and bookings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.catalogue.builtin.hr import Booking, BookTimeOffArgs, Employee
from bot.connectors.base import ToolError
from bot.connectors.sandbox.store import Handler, Kind, Store, iso, record_reader

EMPLOYEES = Kind("hr.employees", "employee", "HR")
BOOKINGS = Kind("hr.bookings", "booking", "HR")


def book_time_off(store: Store, args: BookTimeOffArgs, now: dt.datetime) -> Booking:
    employee = store.require(EMPLOYEES, args.user)
    if args.end < args.start:
        raise ToolError(f"time off cannot end ({args.end}) before it starts ({args.start})")
    span = (args.end - args.start).days + 1
    if args.days > span:
        raise ToolError(
            f"{_days(args.days)} do not fit between {args.start} and {args.end} ({_days(span)})"
        )
    left = employee["pto_days_left"]
    if args.days > left:
        raise ToolError(
            f"{employee['name']} has {_days(left)} of PTO left; cannot book {_days(args.days)}"
        )
    employee["pto_days_left"] = left - args.days
    store.save(EMPLOYEES, args.user, employee, now)
    booking_id = f"PTO-{store.next_number('hr.booking', now):04d}"
    booking = {
        "id": booking_id,
        "user": args.user,
        "start": iso(args.start),
        "end": iso(args.end),
        "days": args.days,
        "booked_at": iso(now),
    }
    store.save(BOOKINGS, booking_id, booking, now)
    return Booking(id=booking_id, pto_days_left=employee["pto_days_left"])


def _days(count: float) -> str:
    return f"{count:g} day" if count == 1 else f"{count:g} days"


HANDLERS: Mapping[str, Handler] = {
    "hr.get_employee": record_reader(EMPLOYEES, Employee, "user"),
    "hr.book_time_off": book_time_off,
}
