"""Alembic's entry point. sopbot always hands it an open connection inside a transaction
(see ``storage.migrate``), so there is no offline mode and no URL to read here."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from storage.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "sopbot's migrations run through `sopbot db upgrade` or Database.upgrade(), "
        "not the alembic command line"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
