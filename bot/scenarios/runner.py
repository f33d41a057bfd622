"""Running scenario files: find them, load each against its SOP, run the chosen scenarios
(one after another, or spread over worker processes), and collect the results.

A file with problems does not run (its diagnostics say why); the other files still do.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bot.catalogue.registry import Catalogue, build_catalogue
from bot.config import Settings
from bot.harness import DEFAULT_START
from bot.procedure.loader import is_sop_file
from bot.scenarios.databases import ScratchDatabases
from bot.scenarios.document import ScenarioFile
from bot.scenarios.execution import run_scenario
from bot.scenarios.loader import is_scenario_file, load_scenario_file, sop_path_for
from bot.scenarios.model import Scenario
from bot.scenarios.parallel import Job, run_job
from bot.scenarios.results import ScenarioResult, SuiteResult

OnResult = Callable[[ScenarioResult], None]
Chosen = tuple[ScenarioFile, int, Scenario]


def find_scenario_files(paths: Sequence[str | Path]) -> tuple[list[Path], list[Path]]:
    """The scenario files under ``paths`` (an SOP file stands for the scenario file beside
    it), and the SOP files in the folders that have none."""
    found: dict[Path, None] = {}
    untested: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            candidates = sorted(_files_below(given))
            found.update(dict.fromkeys(path for path in candidates if is_scenario_file(path)))
            untested.extend(
                path
                for path in candidates
                if is_sop_file(path) and not _scenario_path_for(path).exists()
            )
        else:
            found[given if is_scenario_file(given) else _scenario_path_for(given)] = None
    return list(found), untested


def _files_below(folder: Path) -> Iterator[Path]:
    """Every file below ``folder``, skipping hidden folders (such as .venv and .git)."""
    for root, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        yield from (Path(root) / name for name in names if not name.startswith("."))


def _scenario_path_for(sop_path: Path) -> Path:
    return sop_path.with_name(sop_path.stem + ".test.yml")


def run_paths(
    paths: Sequence[str | Path],
    *,
    keyword: str | None = None,
    start: dt.datetime | None = None,
    jobs: int = 1,
    on_result: OnResult | None = None,
    settings: Settings | None = None,
) -> SuiteResult:
    """Run every scenario under ``paths`` whose ``sop::name`` contains ``keyword``, in
    ``jobs`` processes, on the connectors ``settings`` declare and choose (default: the
    built-in ones on the sandbox); ``on_result`` sees each result in file order as it is
    ready. Raises ``CatalogueError`` for a connector that cannot be registered."""
    files, untested = find_scenario_files(paths)
    suite = SuiteResult(untested=[str(path) for path in untested])
    settings = settings or Settings.model_construct()
    catalogue = build_catalogue(tuple(settings.connectors))
    today = (start or DEFAULT_START).date()
    chosen: list[Chosen] = []
    for path in files:
        loaded = _load(path, catalogue, today)
        if loaded.diagnostics:
            suite.broken.append(loaded.file)
            suite.diagnostics.extend(loaded.diagnostics)
            continue
        chosen.extend(
            (loaded, index, scenario)
            for index, scenario in loaded.scenarios
            if not keyword or keyword.lower() in f"{loaded.procedure.id}::{scenario.name}".lower()
        )
    with tempfile.TemporaryDirectory(prefix="sopbot-scenarios-") as folder:
        for result in _results(chosen, Path(folder), start, jobs, settings):
            suite.results.append(result)
            if on_result is not None:
                on_result(result)
    return suite


def _results(
    chosen: list[Chosen], folder: Path, start: dt.datetime | None, jobs: int, settings: Settings
) -> Iterator[ScenarioResult]:
    if jobs <= 1 or len(chosen) <= 1:
        databases = ScratchDatabases(folder)
        for loaded, index, scenario in chosen:
            yield run_scenario(loaded, index, scenario, databases, start=start, settings=settings)
        return
    work = [Job(loaded.file, index, start, str(folder), settings) for loaded, index, _ in chosen]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(run_job, work)


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
