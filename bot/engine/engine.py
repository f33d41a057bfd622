"""The engine's front door: start runs, record decisions, do due work, answer questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.engine.decisions import Decision, DecisionResult, Decisions
from bot.engine.errors import RunNotFound
from bot.engine.executor import Executor
from bot.engine.runtime import Runtime
from bot.engine.starting import Starter
from bot.engine.worker import Worker
from storage import approvals, audit, journal, runs
from storage.models import Approval, AuditEvent, Run, StepRecord


@dataclass(frozen=True)
class RunView:
    """A run with what it is waiting for and what it did: for /sop status."""

    run: Run
    pending: list[Approval]
    steps: list[StepRecord]


@dataclass
class Engine:
    runtime: Runtime
    starter: Starter = field(init=False)
    decisions: Decisions = field(init=False)
    worker: Worker = field(init=False)

    def __post_init__(self) -> None:
        self.starter = Starter(self.runtime)
        self.decisions = Decisions(self.runtime)
        self.worker = Worker(self.runtime, Executor(self.runtime), self.decisions, self.starter)

    def start(
        self, name: str, given: dict[str, Any] | None = None, *, inline: bool = True, **options: Any
    ) -> Run:
        """Start a run (see ``Starter.start``). ``inline``: this process advances it at once,
        until it first waits, instead of leaving it to the next worker round."""
        if not inline:
            return self.starter.start(name, given, **options)[0]
        run, claim = self.starter.start(name, given, claim_for=self.runtime.worker_id, **options)
        assert claim is not None
        self.worker.handle_advance(run, claim)
        return run

    def decide(
        self, approval_id: str, user_id: str, decision: Decision, reason: str | None = None
    ) -> DecisionResult:
        """Approve or reject."""
        return self.decisions.decide(approval_id, user_id, decision, reason)

    def complete_task(self, task_id: str, user_id: str, answers: dict[str, Any]) -> DecisionResult:
        """Report a human task done."""
        return self.decisions.complete_task(task_id, user_id, answers)

    def cancel(self, run_id: str, user_id: str, reason: str) -> DecisionResult:
        """Cancel an unfinished run."""
        return self.decisions.cancel_run(run_id, user_id, reason)

    def run_due(self) -> int:
        """Do all work that is due now; returns how many timers were handled."""
        return self.worker.run_due()

    def view(self, run_id: str) -> RunView:
        """A run, its open approvals and its step journal."""
        with self.runtime.database.session() as session:
            run = runs.get_run(session, run_id)
            if run is None:
                raise RunNotFound(f"no run {run_id}")
            return RunView(
                run,
                approvals.pending_for_run(session, run_id),
                journal.steps_for_run(session, run_id),
            )

    def history(
        self, *, sop_id: str | None = None, started_by: str | None = None, limit: int = 20
    ) -> list[Run]:
        """Recent runs, newest first."""
        with self.runtime.database.session() as session:
            return runs.list_runs(session, sop_id=sop_id, started_by=started_by, limit=limit)

    def pending_approvals(self, limit: int = 50) -> list[Approval]:
        """Approvals and tasks waiting for someone."""
        with self.runtime.database.session() as session:
            return approvals.list_pending(session, limit=limit)

    def audit_trail(self, run_id: str) -> list[AuditEvent]:
        """Every audited event of a run, in order."""
        with self.runtime.database.session() as session:
            return audit.events_for_run(session, run_id)
