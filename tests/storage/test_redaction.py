"""Registered secret values are masked in whatever reaches the database or a log, in every
form they are written in (plain text, JSON, JSON inside JSON), by any writer."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

from sqlalchemy import select

from bot.secrets import remember
from storage import audit, inbound
from storage.database import Database
from storage.models import AuditEvent, InboundKey
from storage.redaction import MASK, redact

AWKWARD = 'pä"ss\\wörd-31'  # a quote, a backslash and non-ASCII: JSON escapes all three
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def test_a_value_is_masked_in_text_json_and_json_in_json_columns(database: Database) -> None:
    remember([AWKWARD])
    nested = json.dumps({"said": AWKWARD})  # JSON text held inside a JSON document
    with database.session() as session:
        audit.append(
            session,
            at=NOW,
            actor="U02DEV",
            action="tool.call",
            outcome="failed",
            detail={"error": f"no order {AWKWARD}", "raw": nested, AWKWARD: "as a key"},
            reason=f"lookup of {AWKWARD} failed",
        )
    with database.session(read_only=True) as session:
        (event,) = session.scalars(select(AuditEvent))
    stored = repr((event.reason, event.detail))
    for written in (AWKWARD, "wörd", "w\\u00f6rd"):  # nor any escaped part of it
        assert written not in stored
    assert event.reason == f"lookup of {MASK} failed"
    assert event.detail["error"] == f"no order {MASK}"
    assert event.detail[MASK] == "as a key"
    assert json.loads(event.detail["raw"]) == {"said": MASK}


def test_lookups_by_a_masked_value_still_find_it(database: Database) -> None:
    remember([AWKWARD])
    with database.session() as session:
        assert inbound.remember(session, key=f"click:{AWKWARD}", source="slack", at=NOW)
    with database.session() as session:
        assert not inbound.remember(session, key=f"click:{AWKWARD}", source="slack", at=NOW)
        (stored,) = session.scalars(select(InboundKey.key))
    assert stored == f"click:{MASK}"


def test_short_values_are_not_masked() -> None:
    remember(["abc"])
    assert redact("abcdef") == "abcdef"


def test_log_records_never_show_a_secret_in_message_arguments_or_traceback() -> None:
    remember(["log-secret-5Kq8"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        logger.warning("calling with %s", "log-secret-5Kq8")
        try:
            raise RuntimeError("the shop refused key log-secret-5Kq8")
        except RuntimeError:
            logger.exception("a tool failed")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "log-secret-5Kq8" not in written
    assert f"calling with {MASK}" in written
    assert f"RuntimeError: the shop refused key {MASK}" in written
