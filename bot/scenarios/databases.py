"""A fresh database per scenario, cheaply: migrate one SQLite file once, copy it for each
scenario, and delete each copy when its scenario is done.

A scenario's database is thrown away after it ran, so it skips the disk flushes that make
a real one durable: without them a scenario file runs several times faster.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import event

from storage.database import Database


class ScratchDatabases:
    """Empty, migrated SQLite databases in ``folder`` (which the caller cleans up)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._template: Path | None = None
        self._count = 0

    def fresh(self) -> Database:
        """A new database at the newest schema, with nothing in it."""
        if self._template is None:
            self._template = self._folder / "template.db"
            template = Database(f"sqlite:///{self._template}")
            template.upgrade()
            template.dispose()  # closing the last connection folds the WAL into the file
        self._count += 1
        path = self._folder / f"scenario-{self._count}.db"
        shutil.copyfile(self._template, path)
        database = Database(f"sqlite:///{path}")
        event.listen(database.engine, "connect", _skip_flushes)
        return database

    @staticmethod
    def drop(database: Database) -> None:
        """Close the database and delete its files."""
        database.dispose()
        path = Path(str(database.url.database))
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()


def _skip_flushes(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()
