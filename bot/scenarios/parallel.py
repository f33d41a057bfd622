"""The worker side of ``sopbot test --jobs N``: each process loads the scenario files it is
given once, keeps its own scratch databases, and runs one scenario per job."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.catalogue.registry import build_catalogue
from bot.config import Settings
from bot.harness import DEFAULT_START
from bot.scenarios.databases import ScratchDatabases
from bot.scenarios.document import ScenarioFile
from bot.scenarios.execution import run_scenario
from bot.scenarios.loader import load_scenario_file
from bot.scenarios.results import ScenarioResult


@dataclass(frozen=True)
class Job:
    """One scenario, by file and position, the shared folder for scratch databases, and the
    settings that declare and choose the connectors."""

    file: str
    index: int
    start: dt.datetime | None
    folder: str
    settings: Settings


def run_job(job: Job) -> ScenarioResult:
    """Run one scenario in this worker process."""
    loaded = _loaded(job.file, (job.start or DEFAULT_START).date(), tuple(job.settings.connectors))
    scenario = dict(loaded.scenarios)[job.index]
    return run_scenario(
        loaded,
        job.index,
        scenario,
        _databases(job.folder),
        start=job.start,
        settings=job.settings,
    )


@cache
def _loaded(file: str, today: dt.date, connectors: tuple[str, ...]) -> ScenarioFile:
    return load_scenario_file(Path(file), catalogue=build_catalogue(connectors), today=today)


@cache
def _databases(folder: str) -> ScratchDatabases:
    mine = Path(folder) / f"worker-{os.getpid()}"
    mine.mkdir()
    return ScratchDatabases(mine)
