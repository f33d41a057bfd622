"""The email a send call becomes: its idempotency key is its Message-ID, so the same send
repeated after a crash carries the same ID and a mailbox (or a person) sees it is one email."""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from bot.catalogue.builtin.email import SendArgs

DOMAIN = "sopbot"
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]")


def message_id(idempotency_key: str | None) -> str:
    """``<key@sopbot>``; characters a Message-ID cannot hold become ``%XX``; a fresh
    unique ID when the call has no key."""
    if idempotency_key is None:
        return make_msgid(domain=DOMAIN)
    local = _NOT_IN_ID.sub(lambda match: f"%{ord(match.group()):02X}", idempotency_key)
    return f"<{local}@{DOMAIN}>"


def compose(args: SendArgs, sender: str, identifier: str) -> EmailMessage:
    """The message with its headers: From the configured sender, To and Cc as called."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(args.to)
    if args.cc:
        message["Cc"] = ", ".join(args.cc)
    message["Subject"] = args.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = identifier
    message.set_content(args.body)
    return message
