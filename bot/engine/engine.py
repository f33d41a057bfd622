"""The engine: start runs, record decisions, do due work.

Surfaces reach it through the front door (``bot.app.door``), which adds the questions and
the read models; the policy (``bot.engine.policy``) is enforced here and in ``decisions``, so
whoever calls the engine meets the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.engine import policy
from bot.engine.decisions import Decision, DecisionResult, Decisions
from bot.engine.errors import EngineError
from bot.engine.executor import Executor
from bot.engine.refusals import refuse
from bot.engine.runtime import Runtime
from bot.engine.starting import Starter
from bot.engine.worker import Worker
from storage.models import Run


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
        self,
        name: str,
        given: dict[str, Any] | None = None,
        *,
        started_by: str | None = None,
        inline: bool = True,
        **options: Any,
    ) -> Run:
        """Start a run (see ``Starter.start``) for ``started_by``, whom the policy must let
        start it. ``inline``: this process advances it at once, until it first waits,
        instead of leaving it to the next worker round (the front door never does)."""
        if started_by is not None:
            self._check_starter(name, started_by)
        if not inline:
            return self.starter.start(name, given, started_by=started_by, **options)[0]
        run, claim = self.starter.start(
            name, given, started_by=started_by, claim_for=self.runtime.worker_id, **options
        )
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

    def decline_task(self, task_id: str, user_id: str, reason: str) -> DecisionResult:
        """The assignee cannot do a human task: the run escalates with the reason."""
        return self.decisions.decline_task(task_id, user_id, reason)

    def cancel(self, run_id: str, user_id: str, reason: str) -> DecisionResult:
        """Cancel an unfinished run."""
        return self.decisions.cancel_run(run_id, user_id, reason)

    def run_due(self) -> int:
        """Do all work that is due now; returns how many timers were handled."""
        return self.worker.run_due()

    def _check_starter(self, name: str, user_id: str) -> None:
        """The policy's start rule; a refusal is audited, like a refused mode."""
        why = policy.start_refusal(self.runtime.directory, user_id)
        if why is not None:
            refuse(
                self.runtime.database,
                at=self.runtime.clock.now(),
                actor=user_id,
                action="run.start",
                why=why,
                error=EngineError,
                detail={"sop": name},
            )
