"""What the forkserver that forks the test's workers does once, so each worker starts warm.

It imports every module a worker needs (``sopbot worker`` imports the engine lazily, and
SQLAlchemy its database drivers), configures the ORM mappers, and validates the SOP folder
once so pydantic has built the SOP model's validators. Done in every fresh worker instead,
these cost about a second per start.
"""

from __future__ import annotations

import importlib

from sqlalchemy.orm import configure_mappers

from bot.validation.validator import validate_paths
from tests.promises.worker_process import SOPS_DIR

WARM_MODULES = (
    "psycopg",
    "sqlalchemy.dialects.postgresql.psycopg",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "bot.wiring",
    "storage.migrate",
    "storage.models",
)

for name in WARM_MODULES:
    importlib.import_module(name)
configure_mappers()
validate_paths([SOPS_DIR])
