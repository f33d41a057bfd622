"""Is the configured database reachable, and migrated to the newest schema?"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from bot.doctor.findings import Finding, fail, ok
from storage.database import IN_MEMORY_SQLITE, Database
from storage.engines import parse_url
from storage.migrate import head_revision

SUBJECT = "database"


def check_database(url: str) -> Finding:
    """Reads the schema revision only: a database that is missing is reported, not made."""
    try:
        parsed = parse_url(url)
        missing = _missing_sqlite_file(parsed)
        if missing is not None:
            return fail(SUBJECT, f"no database file at {missing}: run `sopbot db upgrade`")
        database = Database(url)
    except (ValueError, OSError) as error:
        return fail(SUBJECT, f"SOPBOT_DATABASE_URL: {_first_line(error)}")
    shown = database.url.render_as_string(hide_password=True)
    try:
        revision, head = database.current_revision(), head_revision()
    except SQLAlchemyError as error:
        reason = _first_line(getattr(error, "orig", None) or error)
        return fail(SUBJECT, f"cannot use {shown}: {reason}")
    finally:
        database.dispose()
    if revision is None:
        return fail(SUBJECT, f"{shown} has no schema yet: run `sopbot db upgrade`")
    if revision != head:
        return fail(
            SUBJECT, f"{shown} is at revision {revision}, newest is {head}: run `sopbot db upgrade`"
        )
    return ok(SUBJECT, f"{shown} reachable, at the newest revision {head}")


def _missing_sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL names, when it does not exist (opening it would create it)."""
    if url.get_backend_name() != "sqlite" or url.database in IN_MEMORY_SQLITE:
        return None
    path = Path(str(url.database))
    return None if path.exists() else path


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
