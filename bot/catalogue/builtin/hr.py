"""HR operations: employee facts and time-off bookings."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from bot.catalogue.operation import Args, ConnectorSpec, Operation, Result


class EmployeeArgs(Args):
    user: str = Field(description="Slack user ID")


class Employee(Result):
    user: str
    name: str
    supervisor: str = Field(description="Slack user ID")
    pto_days_left: float
    team_channel: str


class BookTimeOffArgs(Args):
    user: str
    start: dt.date
    end: dt.date
    days: float = Field(gt=0)


class Booking(Result):
    id: str
    pto_days_left: float


SPEC = ConnectorSpec(
    namespace="hr",
    title="HR",
    operations=(
        Operation(
            "hr.get_employee",
            "Read an employee's record",
            EmployeeArgs,
            Employee,
            writes=False,
            idempotent=True,
        ),
        Operation(
            "hr.book_time_off",
            "Book approved time off",
            BookTimeOffArgs,
            Booking,
            writes=True,
            idempotent=False,
            accepts_idempotency_key=True,
        ),
    ),
)
