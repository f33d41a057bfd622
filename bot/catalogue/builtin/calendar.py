"""Calendar operations: meetings and their notes, out-of-office events."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from bot.catalogue.operation import Args, ConnectorSpec, Operation, Result


class MeetingArgs(Args):
    meeting_id: str


class Meeting(Result):
    id: str
    title: str
    organizer: str = Field(description="Slack user ID")
    ended_at: dt.datetime
    attendees: list[str] = Field(default_factory=list)
    account_id: str | None = None
    notes: str | None = None


class CreateEventArgs(Args):
    user: str
    title: str
    start: dt.date
    end: dt.date


class EventRef(Result):
    id: str


SPEC = ConnectorSpec(
    namespace="calendar",
    title="Calendar",
    operations=(
        Operation(
            "calendar.get_meeting",
            "Read a meeting and its notes",
            MeetingArgs,
            Meeting,
            writes=False,
            idempotent=True,
        ),
        Operation(
            "calendar.create_event",
            "Create an event in someone's calendar",
            CreateEventArgs,
            EventRef,
            writes=True,
            idempotent=False,
            accepts_idempotency_key=True,
        ),
    ),
)
