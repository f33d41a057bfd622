"""Engine bugs these tests found that are not fixed yet.

A test that fails because of one carries its mark, strict: once the bug is fixed the test
passes, the run reports it, and the mark must go. Each reason names the place to fix.
"""

from __future__ import annotations

import pytest

from storage.database import Database

SLA_CALL_TAKEN_FOR_THE_RUNS_OWN = (
    "bot/engine/executor.py Executor.advance recovers journal.unfinished_step(run), which "
    "is any 'started' entry of the run, an SLA link's call included: when the run's own "
    "advance comes before the link is taken up again, the run is escalated as 'may or may "
    "not have happened' for a call that is not one of its steps (Worker._after_crash only "
    "tells the owner and lets the run go on)"
)


def known_bug(request: pytest.FixtureRequest, reason: str, *, only_on: str | None = None) -> None:
    """Mark the running test as failing for ``reason`` (on the ``only_on`` backend only)."""
    if only_on is not None:
        database: Database = request.getfixturevalue("database")
        if database.dialect != only_on:
            return
    request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
