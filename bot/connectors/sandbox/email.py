"""The sandbox mailbox: ``email.send`` puts the message in an outbox; nothing leaves."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from bot.catalogue.builtin.email import SendArgs, Sent
from bot.connectors.base import ToolError
from bot.connectors.sandbox.store import Handler, Kind, Store, iso

OUTBOX = Kind("email.outbox", "message", "mailbox")
_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def send(store: Store, args: SendArgs, now: dt.datetime) -> Sent:
    invalid = [address for address in [*args.to, *args.cc] if not _ADDRESS.match(address)]
    if invalid:
        raise ToolError(f"not an email address: {', '.join(repr(a) for a in invalid)}")
    message_id = f"MSG-{store.next_number('email.message', now):04d}"
    message = {
        "message_id": message_id,
        "to": args.to,
        "cc": args.cc,
        "subject": args.subject,
        "body": args.body,
        "sent_at": iso(now),
    }
    store.save(OUTBOX, message_id, message, now)
    return Sent(message_id=message_id)


HANDLERS: Mapping[str, Handler] = {"email.send": send}
