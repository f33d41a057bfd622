"""A procedure's mode set with ``/sop mode``: one row per procedure, the latest setting wins,
read fresh in the same transaction that wrote it."""

from __future__ import annotations

import datetime as dt

from storage import sop_modes
from storage.database import Database

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)


def test_nothing_is_set_until_an_owner_sets_it(database: Database) -> None:
    with database.session() as session:
        assert sop_modes.get(session, "refund") is None
        assert sop_modes.all_set(session) == {}


def test_a_later_setting_replaces_the_earlier_one(database: Database) -> None:
    with database.session() as session:
        sop_modes.put(session, sop_id="refund", mode="shadow", set_by="U1", at=T0, reason="new")
        assert sop_modes.get(session, "refund") is not None
        sop_modes.put(
            session,
            sop_id="refund",
            mode="autonomous",
            set_by="U2",
            at=T0 + dt.timedelta(hours=1),
            reason=None,
        )
        fresh = sop_modes.get(session, "refund")
    with database.session() as session:
        sop_modes.put(session, sop_id="kpi", mode="assist", set_by="U1", at=T0, reason=None)
        stored = sop_modes.get(session, "refund")
        listed = sop_modes.all_set(session)

    assert fresh is not None
    assert (fresh.mode, fresh.set_by) == ("autonomous", "U2")
    assert stored is not None
    assert (stored.mode, stored.set_by, stored.set_at, stored.reason) == (
        "autonomous",
        "U2",
        T0 + dt.timedelta(hours=1),
        None,
    )
    assert listed == {"refund": "autonomous", "kpi": "assist"}
