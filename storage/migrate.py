"""Alembic, driven from code: every start may call ``upgrade_to_head``, from many processes.

The whole upgrade runs in one transaction that first serialises upgraders: PostgreSQL takes
a transaction-scoped advisory lock, SQLite's ``BEGIN IMMEDIATE`` takes the write lock. The
second process therefore finds the schema at head and does nothing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, func, select

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
UPGRADE_LOCK_KEY = 0x736F70626F74  # "sopbot" in ASCII: the advisory lock id of upgrades


def alembic_config(connection: Connection) -> Config:
    """An Alembic config for our migrations that runs them on ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Apply every migration not yet applied; a no-op when the schema is current."""
    with engine.connect() as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(UPGRADE_LOCK_KEY)))
        command.upgrade(alembic_config(connection), "head")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it has no schema yet."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision this version of sopbot ships."""
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    if head is None:  # only if the package lost its migrations
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head
