"""What the forkserver that forks the test's workers does once, so each worker starts warm.

It imports every module a worker needs (``sopbot worker`` imports the engine lazily, and
SQLAlchemy its database drivers), configures the ORM mappers, and validates the SOP folder
once so pydantic has built the SOP model's validators. Done in every fresh worker instead,
these cost about a second per start.
"""

from __future__ import annotations

import psycopg
import sqlalchemy.dialects.postgresql.psycopg
import sqlalchemy.dialects.sqlite.pysqlite
from sqlalchemy.orm import configure_mappers

import bot.wiring
import storage.migrate
import storage.models
from bot.validation.validator import validate_paths
from tests.promises.worker_process import SOPS_DIR, serve

configure_mappers()
validate_paths([SOPS_DIR])

__all__ = ["bot", "psycopg", "serve", "sqlalchemy", "storage"]
