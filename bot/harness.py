"""A complete sopbot with a clock that only moves when told, and chat that records.

Scenario files (``sopbot test``) and the test suite drive the real engine through this:
``bot.wiring`` assembles it as it does every entry point; only time and the chat surface
are under control.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select

from bot.chat.recording import RecordingChat
from bot.clock.time import ManualClock
from bot.config import Settings
from bot.connectors.sandbox.people import SandboxDirectory
from bot.connectors.sandbox.tools import SandboxTools
from bot.engine.decisions import DecisionResult
from bot.engine.engine import Engine
from bot.llm.models import Models
from bot.llm.settings import LlmSettings
from bot.procedure.loader import LoadedSop
from bot.wiring import assemble
from storage import approvals, runs
from storage.database import Database
from storage.models import Approval, Run, SandboxCall

DEFAULT_START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # a Monday morning


@dataclass
class Harness:
    database: Database
    clock: ManualClock
    chat: RecordingChat
    tools: SandboxTools
    directory: SandboxDirectory
    engine: Engine

    @classmethod
    def open(
        cls,
        database: Database,
        files: Iterable[LoadedSop],
        *,
        start: dt.datetime = DEFAULT_START,
        secrets: dict[str, str] | None = None,
        secrets_key: str | None = None,
        worker_id: str = "harness",
        settings: Settings | None = None,
        models: Models | None = None,
    ) -> Harness:
        """Seed the sandbox and serve ``files`` (validated ``LoadedSop``s) on ``database``;
        ``secrets_key`` encrypts secret inputs (needed on PostgreSQL only). ``settings``
        chooses the connectors (``sopbot test`` passes the operator's); by default only
        the defaults count, so a test never depends on the shell it runs in. ``models``:
        model access for the agent steps (default: none, whatever the shell configures)."""
        chosen = (settings or Settings.model_construct()).model_copy(
            update={
                "worker_id": worker_id,
                "secrets_key": SecretStr(secrets_key) if secrets_key else None,
            }
        )
        clock, chat = ManualClock(start), RecordingChat()
        sopbot = assemble(
            chosen,
            clock=clock,
            chat=lambda _database, _directory: chat,
            database=database,
            procedures=list(files),
            secrets=secrets or {},
            schedules=False,
            models=models or Models.configured(LlmSettings.model_construct()),
        )
        return cls(database, clock, chat, sopbot.sandbox, sopbot.directory, sopbot.engine)

    def start(
        self,
        name: str,
        inputs: dict[str, Any] | None = None,
        *,
        by: str | None = "U02DEV",
        mode: str | None = None,
        trigger: dict[str, Any] | None = None,
    ) -> Run:
        """Start a run and do everything that is due at once."""
        run = self.engine.start(
            name,
            inputs or {},
            started_by=by,
            mode=mode,
            trigger=trigger,
            thread={"to": "C02SUPPORT"},
            interactive=False,
        )
        self.engine.run_due()
        return self.run(run.id)

    def advance(self, delta: dt.timedelta) -> int:
        """Move the clock and do what became due."""
        self.clock.advance(delta)
        return self.engine.run_due()

    def decide(
        self, approval_id: str, user: str, decision: str, reason: str | None = None
    ) -> DecisionResult:
        """Approve or reject as ``user``, then do what became due."""
        result = self.engine.decide(
            approval_id, user, "approve" if decision == "approve" else "reject", reason
        )
        self.engine.run_due()
        return result

    def complete(self, task_id: str, user: str, answers: dict[str, Any]) -> DecisionResult:
        """Complete a task as ``user``, then do what became due."""
        result = self.engine.complete_task(task_id, user, answers)
        self.engine.run_due()
        return result

    def run(self, run_id: str) -> Run:
        """The run as stored now."""
        with self.database.session() as session:
            found = runs.get_run(session, run_id)
        assert found is not None, f"no run {run_id}"
        return found

    def pending(self, run_id: str) -> list[Approval]:
        """The run's open approvals and tasks."""
        with self.database.session() as session:
            return approvals.pending_for_run(session, run_id)

    def tool_calls(self, operation: str | None = None) -> list[SandboxCall]:
        """The writes the sandbox tools performed (the count at the tool)."""
        with self.database.session() as session:
            query = select(SandboxCall).order_by(SandboxCall.id)
            if operation:
                query = query.where(SandboxCall.operation == operation)
            return list(session.scalars(query))

    def close(self) -> None:
        """Stop the tool threads (the database belongs to whoever opened it)."""
        self.engine.runtime.pool.shutdown(wait=True)
