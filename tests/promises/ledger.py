"""What the database says happened, read at rest, and the promises it must show kept.

Every write of the ``promise-mix`` SOP carries ``<run id> <tag>`` in its arguments, so a
row in ``sandbox_calls`` (the count at the tool) is attributed to one run and one step.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from bot.catalogue.registry import build_catalogue
from bot.engine.calls import is_repeatable
from bot.engine.invariants import stuck_runs
from bot.engine.status import FINISHED
from storage.database import Database
from storage.models import Run, SandboxCall, StepRecord, Timer

STEP_OF_TAG = {
    "announce": "announce",
    "pay": "pay",
    "file": "file",
    "tell": "tell",
    "sla": "sla:handled",
}
"""The tag a write carries in its arguments → the journal's step id for that write."""
RUN_STEPS = ("announce", "pay", "file", "tell")
"""The writes every completed run did exactly once."""
MAYBE_DONE = "may or may not have happened"
_TAGGED = re.compile(r"\b(r-[0-9a-f]{10}) (\w+)\b")
_CATALOGUE = build_catalogue()


@dataclass(frozen=True)
class Ledger:
    runs: dict[str, Run]
    journal: list[StepRecord]
    tool_calls: Counter[tuple[str, str]]
    """(run id, step id) → writes the sandbox performed."""
    timers: list[Timer]

    @classmethod
    def read(cls, database: Database) -> Ledger:
        with database.session(read_only=True) as session:
            runs = {run.id: run for run in session.scalars(select(Run))}
            journal = list(session.scalars(select(StepRecord).order_by(StepRecord.id)))
            calls = list(session.scalars(select(SandboxCall)))
            timers = list(session.scalars(select(Timer)))
        counted: Counter[tuple[str, str]] = Counter()
        for call in calls:
            for run_id, tag in _tags(call.arguments):
                counted[run_id, STEP_OF_TAG[tag]] += 1
        return cls(runs, journal, counted, timers)


def broken_promises(ledger: Ledger) -> list[str]:
    """Every promise the database shows broken at any moment it is at rest (even right after
    a kill); empty when all hold."""
    return [
        *_writes_done_twice(ledger),
        *_successes_not_performed_once(ledger),
        *_unknowns_not_escalated(ledger),
        *_steps_succeeded_twice(ledger),
        *_completed_runs_missing_writes(ledger),
    ]


def broken_at_the_end(ledger: Ledger) -> list[str]:
    """Once every run has ended: the promises above, and every write the tool performed is
    in the journal (a kill can leave a repeatable write performed but not yet journalled:
    its retry journals it), and no run or timer is left open."""
    return [
        *broken_promises(ledger),
        *_performed_but_not_journalled(ledger),
        *unfinished_runs(ledger),
        *open_timers(ledger),
    ]


def unfinished_runs(ledger: Ledger) -> list[str]:
    """A line per run that has not ended."""
    return [
        f"{run.id} is still {run.status}"
        for run in ledger.runs.values()
        if run.status not in FINISHED
    ]


def open_timers(ledger: Ledger) -> list[str]:
    """A line per timer still pending or claimed (none once every run ended)."""
    return [
        f"timer {timer.id} ({timer.kind}, run {timer.run_id}) is still {timer.status}"
        for timer in ledger.timers
        if timer.status in ("pending", "claimed")
    ]


def stuck(database: Database) -> list[str]:
    """Promise 1 (``bot.engine.invariants.stuck_runs``), read now."""
    with database.session(read_only=True) as session:
        return stuck_runs(session)


def progress(database: Database) -> int:
    """A number that grows with every step journalled and every timer handled."""
    with database.session(read_only=True) as session:
        done = select(func.count()).select_from(Timer).where(Timer.status == "done")
        steps = select(func.count()).select_from(StepRecord)
        return (session.scalar(done) or 0) + (session.scalar(steps) or 0)


def unfinished_count(database: Database) -> int:
    """How many runs have not ended."""
    with database.session(read_only=True) as session:
        open_runs = select(func.count()).select_from(Run).where(Run.status.not_in(FINISHED))
        return session.scalar(open_runs) or 0


def is_idle(database: Database, now: dt.datetime, workers: Collection[str]) -> bool:
    """Nothing can be claimed until time moves on, and none of ``workers`` holds a claim.

    A claim of a dead worker does not count: its timer waits for the lease to run out.
    """
    claimable = or_(
        (Timer.status == "pending") & (Timer.due_at <= now),
        (Timer.status == "claimed") & (Timer.lease_until < now),
        (Timer.status == "claimed") & Timer.claimed_by.in_(workers),
    )
    with database.session(read_only=True) as session:
        return not session.scalar(select(func.count()).select_from(Timer).where(claimable))


def _tags(arguments: Any) -> Iterator[tuple[str, str]]:
    for value in _strings(arguments):
        for run_id, tag in _TAGGED.findall(value):
            if tag in STEP_OF_TAG:
                yield run_id, tag


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _writes_done_twice(ledger: Ledger) -> list[str]:
    return [
        f"{run_id} {step_id}: the tool performed it {count} times"
        for (run_id, step_id), count in sorted(ledger.tool_calls.items())
        if count > 1
    ]


def _successes_not_performed_once(ledger: Ledger) -> list[str]:
    return [
        f"{entry.run_id} {entry.step_id}: journalled as succeeded, performed "
        f"{ledger.tool_calls[entry.run_id, entry.step_id]} times"
        for entry in ledger.journal
        if entry.status == "succeeded"
        and entry.step_id in STEP_OF_TAG.values()
        and ledger.tool_calls[entry.run_id, entry.step_id] != 1
    ]


def _performed_but_not_journalled(ledger: Ledger) -> list[str]:
    journalled = {
        (e.run_id, e.step_id) for e in ledger.journal if e.status in ("succeeded", "unknown")
    }
    return [
        f"{run_id} {step_id}: the tool performed it, the journal has no success or unknown"
        for (run_id, step_id), count in sorted(ledger.tool_calls.items())
        if count and (run_id, step_id) not in journalled
    ]


def _unknowns_not_escalated(ledger: Ledger) -> list[str]:
    """Promise 2: an interrupted write that cannot be repeated is escalated as maybe done."""
    problems = []
    unknown_runs = set()
    for entry in ledger.journal:
        if entry.status != "unknown":
            continue
        unknown_runs.add(entry.run_id)
        operation = _CATALOGUE.get(entry.operation or "")
        if operation is not None and is_repeatable(operation, entry.idempotency_key):
            problems.append(
                f"{entry.run_id} {entry.step_id}: {entry.operation} is repeatable, not unknown"
            )
        run = ledger.runs[entry.run_id]
        if run.status != "escalated" or MAYBE_DONE not in (run.reason or ""):
            problems.append(
                f"{run.id} {entry.step_id}: interrupted {entry.operation}, but the run is "
                f"{run.status} ({run.reason})"
            )
    for run in ledger.runs.values():
        if MAYBE_DONE in (run.reason or "") and run.id not in unknown_runs:
            problems.append(
                f"{run.id} escalated as maybe done, but its journal has no unknown call"
            )
    return problems


def _steps_succeeded_twice(ledger: Ledger) -> list[str]:
    """The SOP has no loops: each (run, step) succeeds at most once."""
    succeeded = Counter((e.run_id, e.step_id) for e in ledger.journal if e.status == "succeeded")
    return [
        f"{run_id} {step_id}: succeeded {count} times"
        for (run_id, step_id), count in sorted(succeeded.items())
        if count > 1
    ]


def _completed_runs_missing_writes(ledger: Ledger) -> list[str]:
    return [
        f"{run.id} completed, but {step_id} was performed {ledger.tool_calls[run.id, step_id]} times"
        for run in ledger.runs.values()
        if run.status == "completed"
        for step_id in RUN_STEPS
        if ledger.tool_calls[run.id, step_id] != 1
    ]
