"""A redelivered event or a double click is recognised by its key and changes nothing."""

from __future__ import annotations

import datetime as dt

from storage import inbound
from storage.database import Database

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _remember(database: Database, key: str, at: dt.datetime = T0) -> bool:
    with database.session() as session:
        return inbound.remember(session, key=key, source="slack", at=at)


def test_a_key_is_new_once_and_a_repeat_every_time_after(database: Database) -> None:
    assert _remember(database, "slack:Ev1")
    assert not _remember(database, "slack:Ev1", at=T0 + HOUR)
    assert _remember(database, "slack:Ev2")

    with database.session() as session:  # a repeat inside one transaction leaves it usable
        assert not inbound.remember(session, key="slack:Ev2", source="slack", at=T0)
        assert inbound.remember(session, key="slack:Ev3", source="slack", at=T0)
    assert not _remember(database, "slack:Ev3")


def test_old_keys_are_forgotten_and_recent_ones_kept(database: Database) -> None:
    _remember(database, "slack:old", at=T0 - 48 * HOUR)
    _remember(database, "slack:recent", at=T0 - HOUR)

    with database.session() as session:
        assert inbound.forget_older_than(session, T0 - 24 * HOUR) == 1

    assert _remember(database, "slack:old")
    assert not _remember(database, "slack:recent")
