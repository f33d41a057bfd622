"""Read scenario files, turning every problem into a positioned diagnostic.

A file is loaded against the SOP it tests (``sops/NAME.test.yml`` tests ``sops/NAME.yml``),
so an input the SOP does not declare or a step that does not exist is reported here, with
its line, before anything runs.
"""

from __future__ import annotations

import datetime as dt
import difflib
from functools import cache
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.catalogue.registry import Catalogue, build_catalogue
from bot.procedure.diagnostics import Severity
from bot.procedure.loader import LoadedSop, load_file
from bot.procedure.source_map import Path, YamlError, parse_with_positions, read_source
from bot.procedure.types import TARGET_PATTERN
from bot.scenarios import model
from bot.scenarios.checks import check_scenarios
from bot.scenarios.document import ScenarioFile
from bot.scenarios.model import Scenario
from bot.validation.validator import check_loaded

SCENARIO_SUFFIXES = (".test.yml", ".test.yaml")


def is_scenario_file(path: FilePath) -> bool:
    """Scenario files end in ``.test.yml`` (or ``.test.yaml``)."""
    return path.name.endswith(SCENARIO_SUFFIXES)


def sop_path_for(scenario_path: FilePath) -> FilePath:
    """The SOP a scenario file tests: the file beside it without ``.test``."""
    suffix = next(s for s in SCENARIO_SUFFIXES if scenario_path.name.endswith(s))
    stem = scenario_path.name.removesuffix(suffix)
    for sop_suffix in (".yml", ".yaml"):
        candidate = scenario_path.with_name(stem + sop_suffix)
        if candidate.exists():
            return candidate
    return scenario_path.with_name(stem + ".yml")


def load_scenario_file(
    path: FilePath, *, catalogue: Catalogue | None = None, today: dt.date | None = None
) -> ScenarioFile:
    """Load a scenario file and the SOP beside it; unreadable files become diagnostics."""
    sop_path = sop_path_for(path)
    try:
        text = read_source(path)
    except YamlError as error:
        broken = ScenarioFile(str(path), "")
        broken.diagnostics.append(error.diagnostic(str(path), "SCN001"))
        return broken
    if not sop_path.is_file():
        orphan = load_scenario_text(text, str(path))
        orphan.report(
            "SCN002", (), f"no SOP file beside it: expected {sop_path}", "name it NAME.test.yml"
        )
        return orphan
    sop = check_loaded(load_file(sop_path), catalogue=catalogue, today=today)
    return load_scenario_text(text, str(path), sop=sop, catalogue=catalogue)


def load_scenario_text(
    text: str,
    file: str = "<text>",
    *,
    sop: LoadedSop | None = None,
    catalogue: Catalogue | None = None,
) -> ScenarioFile:
    """Parse and check one scenario text; with ``sop``, check it against that SOP too."""
    loaded = ScenarioFile(file, text, sop=sop)
    try:
        loaded.data, loaded.source_map = parse_with_positions(text)
    except YamlError as error:
        loaded.diagnostics.append(error.diagnostic(file, "SCN001"))
        return loaded
    if not isinstance(loaded.data, list) or not loaded.data:
        kind = "empty" if not loaded.data else f"a {type(loaded.data).__name__}"
        loaded.report(
            "SCN003",
            (),
            f"a scenario file holds a list of scenarios (- name: ...); this one is {kind}",
            "start from a sops/*.test.yml file or docs/writing-sops.md",
        )
        return loaded
    for index, item in enumerate(loaded.data):
        try:
            loaded.scenarios.append((index, Scenario.model_validate(item)))
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                _report_schema_error(loaded, index, item, detail)
    if sop is not None:
        _check_sop(loaded, sop, catalogue or build_catalogue())
    loaded.diagnostics.sort(key=lambda d: (d.file, d.line, d.column, d.code))
    return loaded


def _check_sop(loaded: ScenarioFile, sop: LoadedSop, catalogue: Catalogue) -> None:
    errors = [d for d in sop.diagnostics if d.severity is Severity.ERROR]
    if errors or sop.procedure is None:
        loaded.diagnostics.extend(errors)
        loaded.report(
            "SCN004",
            (),
            f"{sop.file} has errors, so its scenarios cannot run",
            f"run: sopbot validate {sop.file}",
        )
        return
    check_scenarios(loaded, sop.procedure, catalogue)


def _report_schema_error(loaded: ScenarioFile, index: int, item: Any, detail: ErrorDetails) -> None:
    path = (index, *_data_path(item, detail["loc"]))
    kind = detail["type"]
    if kind == "missing":
        loaded.report(
            "SCN101", path[:-1], f"missing required key '{path[-1]}'", f"add '{path[-1]}:' here"
        )
    elif kind == "extra_forbidden":
        suggestion = difflib.get_close_matches(str(path[-1]), _known_keys(), n=1, cutoff=0.7)
        hint = f"did you mean '{suggestion[0]}'?" if suggestion else None
        message = f"unknown key '{path[-1]}'" + (f" ({hint})" if hint else "")
        loaded.report("SCN102", path, message, hint or "remove it", at_key=True)
    else:
        loaded.report("SCN103", path, _readable(detail))


def _data_path(data: Any, loc: tuple[int | str, ...]) -> Path:
    """Pydantic's error location as a path in the document (keys as written, not field names)."""
    path: list[str | int] = []
    current = data
    for part in loc:
        in_mapping = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_mapping or in_list:
            path.append(part)
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str):
            path.append(part)  # a key that is missing or forbidden
            current = None
    return tuple(path)


def _readable(detail: ErrorDetails) -> str:
    message = detail["msg"].removeprefix("Value error, ")
    value = detail.get("input")
    pattern = (detail.get("ctx") or {}).get("pattern")
    if pattern == model.USER_PATTERN:
        return f"'{value}' is not a Slack user ID (such as U02DEV); people are named by ID"
    if pattern == TARGET_PATTERN:
        return (
            f"'{value}' is not a Slack user, group or channel ID, a #channel, role:NAME or starter"
        )
    if pattern is not None:
        return f"'{value}' does not have the expected form ({pattern})"
    if detail["type"].endswith(("_type", "_parsing")) or detail["type"] == "literal_error":
        return f"{message}, got {value!r}"
    return message


@cache
def _known_keys() -> tuple[str, ...]:
    models: tuple[type[BaseModel], ...] = (
        model.Scenario,
        model.ThenStep,
        model.Rejection,
        model.Completion,
        model.ToolStub,
        model.EventStart,
        model.Expectation,
        model.EscalationMatch,
        model.AlertMatch,
        model.MessageMatch,
    )
    return tuple(
        sorted({info.alias or name for m in models for name, info in m.model_fields.items()})
    )
