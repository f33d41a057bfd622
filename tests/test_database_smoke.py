from sqlalchemy import select

from storage.database import Database
from storage.models import InboundKey


def test_a_row_written_in_one_session_is_read_in_the_next(database: Database) -> None:
    import datetime as dt

    at = dt.datetime(2026, 11, 22, 9, 30, tzinfo=dt.UTC)
    with database.session() as session:
        session.add(InboundKey(key="slack:Ev123", source="slack", received_at=at))
    with database.session() as session:
        row = session.scalars(select(InboundKey)).one()
    assert row.key == "slack:Ev123"
    assert row.received_at == at
