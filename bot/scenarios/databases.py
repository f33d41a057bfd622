"""A fresh database per scenario, cheaply: migrate and seed one SQLite file per start time
once, copy it for each scenario, and delete each copy when its scenario is done.

A scenario's database is thrown away after it ran, so it skips the disk flushes that make
a real one durable: without them a scenario file runs several times faster.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bot.connectors.sandbox.seed import seed
from storage.database import Database


class ScratchDatabases:
    """Migrated SQLite databases holding the sandbox's demo data, in ``folder`` (which the
    caller cleans up)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._templates: dict[dt.datetime, Path] = {}
        self._count = 0

    def fresh(self, start: dt.datetime) -> Database:
        """A new database at the newest schema, seeded as of ``start``, with no runs."""
        template = self._templates.get(start)
        if template is None:
            template = self._folder / f"template-{len(self._templates) + 1}.db"
            seeded = Database(f"sqlite:///{template}")
            seeded.upgrade()
            seed(seeded, start)
            seeded.dispose()  # closing the last connection folds the WAL into the file
            self._templates[start] = template
        self._count += 1
        path = self._folder / f"scenario-{self._count}.db"
        shutil.copyfile(template, path)
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
