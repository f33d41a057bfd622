"""Shared fixtures: every database test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.database import Database
from storage.models import Base

POSTGRES_URL = os.environ.get(
    "SOPBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def _scratch_postgres_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    admin_url = make_url(POSTGRES_URL)
    name = f"sopbot_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # Test data needs no durable commits; skipping the WAL flush makes every test faster.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as error:  # the server is down or refuses us: say so plainly
        admin.dispose()
        pytest.fail(
            f"PostgreSQL at {admin_url.render_as_string(hide_password=True)} is not usable "
            f"({error.__class__.__name__}); start it or set SOPBOT_TEST_POSTGRES_URL"
        )
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    with _scratch_postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of a database with nothing in it yet (no schema), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'sopbot.db'}"
        return
    with _scratch_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def _migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "sopbot.db"
    template = Database(f"sqlite:///{path}")
    template.upgrade()
    template.dispose()  # the last connection closing folds the WAL into the file
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """An empty sopbot database, migrated to the newest schema, on each backend."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "sopbot.db"
        shutil.copyfile(request.getfixturevalue("_migrated_sqlite_file"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
    db = Database(url)
    db.upgrade()  # at head already: proves a restart on a current schema changes nothing
    yield db
    if db.dialect == "postgresql":
        _empty_every_table(db)
    db.dispose()


def _empty_every_table(db: Database) -> None:
    """Delete every row and restart the ids (much faster than TRUNCATE of every table).

    The audit log refuses DELETE by design, so it alone is truncated.
    """
    with db.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            verb = "TRUNCATE" if table.name == "audit_events" else "DELETE FROM"
            connection.execute(text(f'{verb} "{table.name}"'))
        connection.execute(
            text(
                "SELECT setval(quote_ident(sequencename), 1, false) "
                "FROM pg_sequences WHERE schemaname = current_schema()"
            )
        )
