"""Rows the storage tests build on: a saved SOP version and runs that pin it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from storage import runs, sop_versions
from storage.database import Database
from storage.models import Run

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
SOP_HASH = "a" * 64

MakeRun = Callable[..., str]


@pytest.fixture
def make_run(database: Database) -> MakeRun:
    """Store a run of the ``refund`` SOP; its id. Keyword arguments override columns."""

    def make(run_id: str = "run-1", **columns: object) -> str:
        values: dict[str, object] = {
            "sop_id": "refund",
            "status": "running",
            "mode": "autonomous",
            "started_by": "U100",
            "trigger": {"kind": "command"},
            "inputs": {"amount": 120},
            "state": {},
            "created_at": T0,
            "updated_at": T0,
        } | columns
        with database.session() as session:
            sop_versions.save_version(
                session,
                sop_id="refund",
                version=1,
                content_hash=SOP_HASH,
                source="id: refund\n",
                file="sops/refund.yml",
                author="U1",
                at=T0,
            )
            runs.insert_run(session, Run(id=run_id, sop_hash=SOP_HASH, **values))
        return run_id

    return make
