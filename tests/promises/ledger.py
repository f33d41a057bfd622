"""What the database says happened, read at rest, and the promises it must show kept.

Every write of the ``promise-mix`` SOP carries ``<run id> <tag>`` in its arguments, so a
row in ``sandbox_calls`` (the count at the tool) is attributed to one run and one write:
the tag is the step's id, or ``sla`` for the SLA link's post.
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
from storage.journal import OWNER_SLA
from storage.models import Run, SandboxCall, StepRecord, Timer

RUN_STEPS = ("announce", "pay", "file", "tell")
"""The run's own writes: every completed run did each exactly once."""
SLA = "sla"
TAGS = (*RUN_STEPS, SLA)
MAYBE_DONE = "may or may not have happened"
TAKEN_OUT = "set aside after it stopped"
"""The reason of a run taken out because its timer kept stopping workers."""
_TAGGED = re.compile(r"\b(r-[0-9a-f]{10}) (\w+)\b")
_CATALOGUE = build_catalogue()


@dataclass(frozen=True)
class Ledger:
    """Every run, journal entry, timer and tool write, read in one transaction."""

    runs: dict[str, Run]
    journal: list[StepRecord]
    tool_calls: Counter[tuple[str, str]]
    """(run id, tag) → writes the sandbox performed."""
    timers: list[Timer]

    @classmethod
    def read(cls, database: Database) -> Ledger:
        with database.session(read_only=True) as session:
            runs = {run.id: run for run in session.scalars(select(Run))}
            journal = list(session.scalars(select(StepRecord).order_by(StepRecord.id)))
            calls = list(session.scalars(select(SandboxCall)))
            timers = list(session.scalars(select(Timer)))
        counted = Counter(tagged for call in calls for tagged in _tags(call.arguments))
        return cls(runs, journal, counted, timers)

    def alerts(self) -> list[str]:
        """The text of every message queued for chat."""
        return [timer.payload["message"]["text"] for timer in self.timers if timer.kind == "notify"]


def broken_promises(ledger: Ledger) -> list[str]:
    """Every promise the database shows broken at any moment it is at rest (even right after
    a kill); empty when all hold."""
    return [
        *_writes_done_twice(ledger),
        *_successes_not_performed_once(ledger),
        *_unknown_calls_not_reported(ledger),
        *_interrupted_calls_not_repeatable(ledger),
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
            if tag in TAGS:
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


def _tag_of(entry: StepRecord) -> str:
    """The tag of a journalled call: its step's id, or ``sla`` for an SLA link's call."""
    return SLA if entry.owner_kind == OWNER_SLA else entry.step_id


def _successes_not_performed_once(ledger: Ledger) -> list[str]:
    return [
        f"{entry.run_id} {entry.step_id}: journalled as succeeded, performed "
        f"{ledger.tool_calls[entry.run_id, _tag_of(entry)]} times"
        for entry in ledger.journal
        if entry.status == "succeeded"
        and _tag_of(entry) in TAGS
        and ledger.tool_calls[entry.run_id, _tag_of(entry)] != 1
    ]


def _performed_but_not_journalled(ledger: Ledger) -> list[str]:
    journalled = {
        (e.run_id, _tag_of(e)) for e in ledger.journal if e.status in ("succeeded", "unknown")
    }
    return [
        f"{run_id} {tag}: the tool performed it, the journal has no success or unknown"
        for (run_id, tag), count in sorted(ledger.tool_calls.items())
        if count and (run_id, tag) not in journalled
    ]


def _unknown_calls_not_reported(ledger: Ledger) -> list[str]:
    """Promise 2: a call cut off that cannot be repeated is reported as maybe done, once.

    A step of the run: the run is escalated. An SLA link's call: the owner is told, and the
    run goes on. A run escalated as maybe done has a call of its own steps to show for it.
    """
    problems = []
    own_unknown = set()
    alerts = ledger.alerts()
    for entry in ledger.journal:
        if entry.status != "unknown":
            continue
        where = f"{entry.run_id} {entry.step_id} ({entry.operation})"
        operation = _CATALOGUE.get(entry.operation or "")
        run = ledger.runs[entry.run_id]
        taken_out = run.status == "escalated" and TAKEN_OUT in (run.reason or "")
        if (
            operation is not None
            and is_repeatable(operation, entry.idempotency_key)
            and not taken_out  # a run set aside is repeated by nobody: a person checks
        ):
            problems.append(f"{where} is repeatable, yet unknown")
        if _tag_of(entry) == SLA:
            if not any(entry.run_id in text and MAYBE_DONE in text for text in alerts):
                problems.append(f"{where} was cut off, and nobody was told")
            continue
        own_unknown.add(entry.run_id)
        if run.status != "escalated" or MAYBE_DONE not in (run.reason or ""):
            problems.append(f"{where} was cut off, but the run is {run.status} ({run.reason})")
    for run in ledger.runs.values():
        if MAYBE_DONE in (run.reason or "") and run.id not in own_unknown:
            problems.append(f"{run.id} escalated as maybe done, but none of its steps' calls is")
    return problems


def _interrupted_calls_not_repeatable(ledger: Ledger) -> list[str]:
    """Promise 2: a call cut off is closed as ``interrupted`` (and repeated) only when
    repeating it is harmless; everything else is ``unknown``."""
    problems = []
    for entry in ledger.journal:
        operation = _CATALOGUE.get(entry.operation or "")
        if entry.status == "interrupted" and (
            operation is None or not is_repeatable(operation, entry.idempotency_key)
        ):
            problems.append(
                f"{entry.run_id} {entry.step_id} ({entry.operation}) cannot be repeated, "
                "yet was closed as interrupted"
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
