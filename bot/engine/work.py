"""The working copy of one run while a worker advances it.

Changes pile up in memory (saved values, journal entries, audit events, new timers,
messages) and are written in one transaction at the next flush, with a compare-and-set
on the run's version. A read that is lost in a crash is simply read again; a write is
flushed as an intent *before* the tool is called.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.catalogue.registry import Catalogue
from bot.engine.state import RunState, read_stored, to_stored
from bot.engine.typed_values import Retype, as_json, retypers, typed_inputs
from bot.procedure.model import Procedure
from bot.procedure.steps import StepBase
from bot.secrets import Secrets
from storage.journal import CallId
from storage.models import Run
from storage.timers import Claim

Pending = Callable[[Session], object]


@dataclass(frozen=True)
class Continue:
    """Go on with ``next_step`` (None: the procedure has no more steps)."""

    next_step: str | None


@dataclass(frozen=True)
class Sleep:
    """Stay at this step until ``until``; the clock wakes the run."""

    until: dt.datetime


@dataclass(frozen=True)
class AwaitPerson:
    """Wait for an approval or a task (``status`` says which)."""

    status: str


@dataclass(frozen=True)
class Finish:
    """The run ends with ``status`` for ``reason``."""

    status: str
    reason: str | None = None


Transition = Continue | Sleep | AwaitPerson | Finish


@dataclass
class RunWork:
    """Everything a worker knows and has changed about one run."""

    run: Run
    procedure: Procedure
    now: Callable[[], dt.datetime]
    cursor: str | None
    attempt: int
    values: dict[str, Any]
    meta: RunState
    inputs: dict[str, Any] = field(default_factory=dict)
    retype: dict[str, Retype] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    pending: list[Pending] = field(default_factory=list)
    settle_soon: bool = False  # a non-repeatable write ran: commit before the next tool call
    claim: Claim | None = None  # the timer this worker holds for the run: shown on every commit

    @classmethod
    def of(
        cls,
        run: Run,
        procedure: Procedure,
        now: Callable[[], dt.datetime],
        secrets: Secrets,
        catalogue: Catalogue,
    ) -> RunWork:
        values, meta = read_stored(run.state)
        work = cls(
            run=run,
            procedure=procedure,
            now=now,
            cursor=run.cursor,
            attempt=run.attempt,
            values={},
            meta=meta,
            inputs=typed_inputs(procedure, secrets.open_inputs(run.inputs)),
            retype=retypers(procedure, catalogue),
            secrets=secrets,
        )
        for name, value in values.items():
            work.save(name, value)
        return work

    def save(self, name: str, value: Any) -> None:
        """Keep a value for later steps, typed as what produced it says."""
        retype = self.retype.get(name)
        self.values[name] = retype(value) if retype else value

    def state(self) -> dict[str, Any]:
        """The JSON saved in ``runs.state``."""
        return to_stored(as_json(self.values), self.meta)

    def next_call(self, step_id: str) -> CallId:
        """The identity of the next call ``step_id`` makes (counted in the run's state, which
        is committed with the journal entry, so a retried commit reuses the same number)."""
        calls = self.meta.calls
        calls[step_id] = calls.get(step_id, 0) + 1
        return CallId(self.run.id, step_id, calls[step_id])

    def later(self, change: Pending) -> None:
        """Queue a database change for the next flush."""
        self.pending.append(change)

    def step(self, step_id: str) -> StepBase:
        """The step with that id in the pinned procedure."""
        return self.procedure.steps[self.procedure.step_index()[step_id]]

    def following(self, step: StepBase) -> str | None:
        """Where to go after ``step``: its ``next``, else the step below it, else the end."""
        if step.next:
            return step.next
        position = self.procedure.step_index()[step.id] + 1
        return self.procedure.steps[position].id if position < len(self.procedure.steps) else None

    def expression_context(self) -> dict[str, Any]:
        """The names conditions and templates may read."""
        now = self.now()
        run = self.run
        return {
            **self.values,
            "inputs": self.inputs,
            "trigger": run.trigger,
            "run": {
                "id": run.id,
                "sop_id": run.sop_id,
                "started_by": run.started_by,
                "started_at": run.created_at.isoformat(),
                "mode": run.mode,
            },
            "now": now,
            "today": now.date(),
            "secrets": self.secrets,
            "constants": self.procedure.constants,
        }
