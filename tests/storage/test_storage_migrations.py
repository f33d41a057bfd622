"""The schema comes from migrations only; they match the models and run safely on every start."""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from multiprocessing.queues import Queue
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from storage.database import Database
from storage.migrate import MIGRATIONS_DIR, alembic_config, head_revision
from storage.models import Base

TABLES = {table.name for table in Base.metadata.sorted_tables}


def test_upgrade_creates_every_table_and_records_the_newest_revision(
    empty_database_url: str,
) -> None:
    database = Database(empty_database_url)
    assert database.current_revision() is None

    database.upgrade()

    assert database.current_revision() == head_revision()
    assert set(inspect(database.engine).get_table_names()) == TABLES | {"alembic_version"}
    database.dispose()


def test_the_migrated_schema_is_exactly_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        drift = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert drift == []


def test_upgrading_a_current_schema_keeps_its_data(database: Database) -> None:
    with database.session() as session:
        session.execute(
            text("INSERT INTO inbound_keys VALUES ('slack:Ev1', 'slack', '2026-11-22 09:00:00')")
        )

    database.upgrade()

    with database.session() as session:
        assert session.execute(text("SELECT key FROM inbound_keys")).scalars().all() == [
            "slack:Ev1"
        ]


def test_downgrading_to_nothing_removes_every_table_and_upgrading_again_restores_them(
    empty_database_url: str,
) -> None:
    database = Database(empty_database_url)
    database.upgrade()

    with database.engine.connect() as connection, connection.begin():
        command.downgrade(alembic_config(connection), "base")
    assert database.current_revision() is None
    assert not TABLES & set(inspect(database.engine).get_table_names())

    database.upgrade()
    assert database.current_revision() == head_revision()
    database.dispose()


def _upgrade_when_told(url: str, start: Any, results: Queue[str]) -> None:
    """One bot process starting up: upgrade the schema at the same moment as the others."""
    try:
        database = Database(url)
        start.wait(timeout=60)
        database.upgrade()
        results.put(database.current_revision() or "none")
        database.dispose()
    except Exception:
        results.put(traceback.format_exc())


def test_processes_starting_together_on_an_empty_database_all_upgrade_it(
    empty_database_url: str,
) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    results: Queue[str] = context.Queue()
    workers = [
        context.Process(target=_upgrade_when_told, args=(empty_database_url, start, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    try:
        outcomes = [results.get(timeout=120) for _ in workers]
    except queue.Empty:
        pytest.fail("an upgrading process did not report within 120 s")
    finally:
        for worker in workers:
            worker.join(timeout=30)

    assert outcomes == [head_revision(), head_revision()]


def test_running_alembic_directly_says_how_to_migrate_instead() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with pytest.raises(RuntimeError, match="sopbot db upgrade"):
        command.upgrade(config, "head")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("mysql://root@localhost/sopbot", "unsupported database 'mysql'"),
    ],
)
def test_an_unusable_url_is_refused_with_a_clear_message(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Database(url)


def test_postgresql_urls_use_psycopg_3(postgres_url: str) -> None:
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")

    database = Database(plain)

    assert database.url.drivername == "postgresql+psycopg"
    with database.session() as session:
        assert session.execute(text("SELECT 1")).scalar() == 1
    database.dispose()


def test_a_read_only_session_reads_while_a_writer_holds_the_lock_and_cannot_write(
    database: Database,
) -> None:
    insert = text("INSERT INTO inbound_keys VALUES ('slack:Ev2', 'slack', '2026-11-22 09:00:00')")
    with database.session() as writer:
        writer.execute(insert)  # uncommitted: on SQLite this transaction holds the write lock
        with database.session(read_only=True) as reader:
            seen = reader.execute(text("SELECT count(*) FROM inbound_keys")).scalar()
        writer.rollback()

    assert seen == 0
    with pytest.raises(DBAPIError), database.session(read_only=True) as reader:
        reader.execute(insert)
