"""Running one scenario: a fresh database, the real engine on the configured connectors (the
sandbox by default) behind the scenario's stubs, the start and each then-step, and a result
that says what happened."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator

from bot.config import Settings
from bot.harness import DEFAULT_START, Harness
from bot.procedure import expressions
from bot.procedure.loader import LoadedSop
from bot.procedure.model import Procedure
from bot.procedure.source_map import Path as SourcePath
from bot.scenarios.databases import ScratchDatabases
from bot.scenarios.document import ScenarioFile
from bot.scenarios.driver import ScenarioDriver, StepFailed
from bot.scenarios.model import Scenario
from bot.scenarios.results import Failure, ScenarioResult
from bot.scenarios.stubs import StubbedTools
from bot.validation.sites import collect_sites
from storage import journal


def run_scenario(
    loaded: ScenarioFile,
    index: int,
    scenario: Scenario,
    databases: ScratchDatabases,
    *,
    start: dt.datetime | None = None,
    settings: Settings | None = None,
) -> ScenarioResult:
    """Run one scenario of a loaded (problem-free) file on a database of its own, with the
    connectors ``settings`` choose (default: the sandbox for every built-in namespace)."""
    procedure = loaded.procedure
    assert loaded.sop is not None  # a file with a procedure has its SOP
    began = time.perf_counter()
    moment = scenario.start_at or start or DEFAULT_START
    database = databases.fresh(moment)
    harness = Harness.open(
        database,
        [_in_mode(loaded.sop, scenario.mode)],
        start=moment,
        secrets=placeholder_secrets(procedure),
        settings=settings,
    )
    runtime = harness.engine.runtime
    stubs = StubbedTools(
        runtime.connectors, (spec.namespace for spec in runtime.catalogue.connectors)
    )
    runtime.connectors.update(dict.fromkeys(stubs.namespaces, stubs))
    driver = ScenarioDriver(harness, stubs, procedure)
    try:
        failure = _drive(driver, loaded, index, scenario)
        if failure is None:
            return ScenarioResult(loaded.file, procedure.id, scenario.name, _since(began))
        return ScenarioResult(
            loaded.file,
            procedure.id,
            scenario.name,
            _since(began),
            failure,
            driver.describe(),
            _journal_lines(harness, driver.run_id),
        )
    finally:
        harness.close()
        databases.drop(database)


def _in_mode(sop: LoadedSop, mode: str | None) -> LoadedSop:
    """The SOP served in the scenario's ``mode``. A scenario is its owner's test, so its mode
    stands for an edit of the SOP's own; a starter could only make a run more careful."""
    if mode is None or sop.procedure is None:
        return sop
    return dataclasses.replace(sop, procedure=sop.procedure.model_copy(update={"mode": mode}))


def _drive(
    driver: ScenarioDriver, loaded: ScenarioFile, index: int, scenario: Scenario
) -> Failure | None:
    """Start, then each then-step in order; the first one that fails ends the scenario."""
    label = "start"
    path: SourcePath = (index,)
    try:
        driver.start(scenario)
        for position, step in enumerate(scenario.then):
            label, path = f"then[{position}].{step.kind}", (index, "then", position)
            driver.do(step)
    except StepFailed as failed:
        return Failure(loaded.position(path), label, failed.message, failed.mismatches)
    except Exception as error:  # an engine bug: report it as a failure, keep running the rest
        return Failure(
            loaded.position(path), label, f"sopbot raised {type(error).__name__}: {error}"
        )
    return None


def _since(began: float) -> float:
    return time.perf_counter() - began


def placeholder_secrets(procedure: Procedure) -> dict[str, str]:
    """A stand-in value for every secret the SOP reads: the sandbox checks no credentials."""
    return {name: f"scenario-secret-{name}" for name in _secret_names(procedure)}


def _secret_names(procedure: Procedure) -> Iterator[str]:
    for site in collect_sites(procedure).expressions:
        for reference in expressions.references(site.text, condition=site.condition):
            if reference.root == "secrets" and reference.path:
                yield reference.path[0]


def _journal_lines(harness: Harness, run_id: str | None) -> tuple[str, ...]:
    if run_id is None:
        return ()
    with harness.database.session(read_only=True) as session:
        entries = journal.steps_for_run(session, run_id)
    lines = []
    for number, entry in enumerate(entries, start=1):
        attempt = f" (try {entry.attempt})" if entry.attempt > 1 else ""
        error = f": {entry.error}" if entry.error else ""
        lines.append(
            f"{number:>3}  {entry.started_at:%m-%d %H:%M}  {entry.step_id:<24} "
            f"{entry.operation or entry.kind:<22} {entry.status}{attempt}{error}"
        )
    return tuple(lines)
