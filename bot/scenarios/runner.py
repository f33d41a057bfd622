"""Running scenario files: find them, load each against its SOP, run every scenario on a
fresh database with the real engine, and collect the results.

A file with problems does not run (its diagnostics say why); the other files still do.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from bot.catalogue.registry import Catalogue, build_catalogue
from bot.harness import DEFAULT_START, Harness
from bot.procedure import expressions
from bot.procedure.loader import is_sop_file
from bot.procedure.model import Procedure
from bot.procedure.source_map import Path as SourcePath
from bot.scenarios.databases import ScratchDatabases
from bot.scenarios.document import ScenarioFile
from bot.scenarios.driver import ScenarioDriver, StepFailed
from bot.scenarios.loader import is_scenario_file, load_scenario_file, sop_path_for
from bot.scenarios.model import Scenario
from bot.scenarios.results import Failure, ScenarioResult, SuiteResult
from bot.scenarios.stubs import StubbedTools
from bot.validation.sites import collect_sites
from storage import journal

OnResult = Callable[[ScenarioResult], None]


def find_scenario_files(paths: Sequence[str | Path]) -> tuple[list[Path], list[Path]]:
    """The scenario files under ``paths`` (an SOP file stands for the scenario file beside
    it), and the SOP files in the folders that have none."""
    found: dict[Path, None] = {}
    untested: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            candidates = sorted(path for path in given.rglob("*") if path.is_file())
            found.update(dict.fromkeys(path for path in candidates if is_scenario_file(path)))
            untested.extend(
                path
                for path in candidates
                if is_sop_file(path) and not _scenario_path_for(path).exists()
            )
        else:
            found[given if is_scenario_file(given) else _scenario_path_for(given)] = None
    return list(found), untested


def _scenario_path_for(sop_path: Path) -> Path:
    return sop_path.with_name(sop_path.stem + ".test.yml")


def run_paths(
    paths: Sequence[str | Path],
    *,
    keyword: str | None = None,
    start: dt.datetime | None = None,
    on_result: OnResult | None = None,
) -> SuiteResult:
    """Run every scenario under ``paths`` whose ``sop::name`` contains ``keyword``."""
    files, untested = find_scenario_files(paths)
    suite = SuiteResult(untested=[str(path) for path in untested])
    catalogue = build_catalogue()
    with tempfile.TemporaryDirectory(prefix="sopbot-scenarios-") as folder:
        databases = ScratchDatabases(Path(folder))
        for path in files:
            loaded = _load(path, catalogue, (start or DEFAULT_START).date())
            if loaded.diagnostics:
                suite.diagnostics.extend(loaded.diagnostics)
                continue
            for index, scenario in loaded.scenarios:
                title = f"{loaded.procedure.id}::{scenario.name}"
                if keyword and keyword.lower() not in title.lower():
                    continue
                result = run_scenario(loaded, index, scenario, databases, start=start)
                suite.results.append(result)
                if on_result is not None:
                    on_result(result)
    return suite


def _load(path: Path, catalogue: Catalogue, today: dt.date) -> ScenarioFile:
    if not path.exists():
        missing = ScenarioFile(str(path), "")
        missing.report(
            "SCN002",
            (),
            "no such scenario file",
            f"write scenarios for {sop_path_for(path)} in {path}",
        )
        return missing
    return load_scenario_file(path, catalogue=catalogue, today=today)


def run_scenario(
    loaded: ScenarioFile,
    index: int,
    scenario: Scenario,
    databases: ScratchDatabases,
    *,
    start: dt.datetime | None = None,
) -> ScenarioResult:
    """Run one scenario of a loaded (problem-free) file on a database of its own."""
    procedure = loaded.procedure
    assert loaded.sop is not None  # a file with a procedure has its SOP
    began = time.perf_counter()
    database = databases.fresh()
    harness = Harness.open(
        database,
        [loaded.sop],
        start=scenario.start_at or start or DEFAULT_START,
        secrets=placeholder_secrets(procedure),
    )
    stubs = StubbedTools(harness.tools)
    harness.engine.runtime.connectors.update(dict.fromkeys(stubs.namespaces, stubs))
    driver = ScenarioDriver(harness, stubs, procedure)
    failure: Failure | None = None
    label = "start"
    path: SourcePath = (index,)
    try:
        driver.start(scenario)
        for position, step in enumerate(scenario.then):
            label, path = f"then[{position}].{step.kind}", (index, "then", position)
            driver.do(step)
    except StepFailed as failed:
        failure = Failure(loaded.position(path), label, failed.message, failed.mismatches)
    except Exception as error:  # an engine bug: report it as a failure, keep running the rest
        failure = Failure(
            loaded.position(path), label, f"sopbot raised {type(error).__name__}: {error}"
        )
    try:
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
    for entry in entries:
        attempt = f" (try {entry.attempt})" if entry.attempt > 1 else ""
        error = f": {entry.error}" if entry.error else ""
        lines.append(
            f"{entry.seq:>3}  {entry.started_at:%m-%d %H:%M}  {entry.step_id:<24} "
            f"{entry.operation or entry.kind:<22} {entry.status}{attempt}{error}"
        )
    return tuple(lines)
