"""The sandbox calendar: meetings (with or without notes) and events people book."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.catalogue.builtin.calendar import CreateEventArgs, EventRef, Meeting
from bot.connectors.base import ToolError
from bot.connectors.sandbox.people import require_user
from bot.connectors.sandbox.store import Handler, Kind, Store, iso, record_reader

MEETINGS = Kind("calendar.meetings", "meeting", "calendar")
EVENTS = Kind("calendar.events", "event", "calendar")


def create_event(store: Store, args: CreateEventArgs, now: dt.datetime) -> EventRef:
    user = require_user(store, args.user)["id"]
    if args.end < args.start:
        raise ToolError(f"an event cannot end ({args.end}) before it starts ({args.start})")
    event_id = f"EV-{store.next_number('calendar.event', now):04d}"
    event = {
        "id": event_id,
        "user": user,
        "title": args.title,
        "start": iso(args.start),
        "end": iso(args.end),
        "created_at": iso(now),
    }
    store.save(EVENTS, event_id, event, now)
    return EventRef(id=event_id)


HANDLERS: Mapping[str, Handler] = {
    "calendar.get_meeting": record_reader(MEETINGS, Meeting, "meeting_id"),
    "calendar.create_event": create_event,
}
