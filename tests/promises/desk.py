"""The people around the workers: they start runs and decide approvals.

The desk is an engine of its own, wired like a worker (``sopbot worker``'s
``open_engine``), as the Slack-facing process would be. It never does due work: only the
workers do, so every step of every run goes through a process the test can kill.
"""

from __future__ import annotations

import random

from bot.cli.worker_cmd import open_engine
from bot.clock.time import Clock
from bot.engine.errors import DecisionRefused
from storage import approvals
from storage.models import Approval
from tests.promises.worker_process import settings_for

STARTER = "U02DEV"
APPROVER = "U03SAM"


class Desk:
    def __init__(self, database_url: str, clock: Clock) -> None:
        self.engine = open_engine(settings_for(database_url, "desk"), clock)
        self.started: list[str] = []

    def start_runs(self, count: int, rng: random.Random) -> None:
        """Start ``count`` runs of ``promise-mix``, about a third of them needing approval."""
        for _ in range(count):
            run = self.engine.start(
                "promise-mix",
                {"needs_approval": rng.random() < 0.35},
                started_by=STARTER,
                interactive=False,
                inline=False,
            )
            self.started.append(run.id)

    def decide(self, rng: random.Random, *, share: float, reject: float) -> None:
        """Decide about ``share`` of the open approvals (``reject`` of those rejected)."""
        for approval in self._pending():
            if rng.random() >= share:
                continue
            rejecting = rng.random() < reject
            try:
                if rejecting:
                    self.engine.decide(approval.id, APPROVER, "reject", "not this time")
                else:
                    self.engine.decide(approval.id, APPROVER, "approve")
            except DecisionRefused:  # it timed out a moment ago: a worker got there first
                continue

    def _pending(self) -> list[Approval]:
        """Open approvals in the order their runs started (the same order for the same seed)."""
        with self.engine.runtime.database.session(read_only=True) as session:
            pending = approvals.list_pending(session, limit=10_000)
        position = {run_id: index for index, run_id in enumerate(self.started)}
        return sorted(pending, key=lambda approval: position[approval.run_id])

    def close(self) -> None:
        self.engine.runtime.close()
