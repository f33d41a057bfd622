"""Every YAML snippet in ``docs/writing-sops.md`` is a working SOP or SOP part.

A snippet is either a complete SOP, or starts with ``# fragment: PART`` and is wrapped into a
minimal SOP here. A fragment may add ``; expect: CODE ...`` when it shows a pitfall: then it
must produce exactly those findings, so the guide's claims about the validator stay true.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.catalogue.registry import build_catalogue
from bot.procedure.graph import to_mermaid
from bot.procedure.loader import is_sop_file, load_file
from bot.scenarios.loader import load_scenario_file, load_scenario_text
from bot.validation.validator import validate_text

REPO = Path(__file__).resolve().parents[2]
GUIDE = REPO / "docs" / "writing-sops.md"
TODAY = dt.date(2026, 11, 22)
_FENCE = re.compile(r"^```yaml\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)
_MARKER = re.compile(r"^# fragment: (?P<part>[a-z_]+)(?:; expect: (?P<codes>[A-Z0-9 ]+))?\n")
_SCENARIO = re.compile(r"^# scenario: (?P<sop>[a-z][a-z0-9-]*)\n")

MINIMAL_SOP: dict[str, Any] = {
    "id": "docs-snippet",
    "title": "A snippet from docs/writing-sops.md",
    "owner": "U01MARIA",
    "version": 1,
    "review": {"every": "180d", "last_reviewed": "2026-11-01"},
    "mode": "shadow",
    "trigger": {"command": "docs-snippet"},
    "escalation": {"to": ["U04LEE"]},
    "steps": [{"id": "done", "end": "completed"}],
}


@dataclass(frozen=True)
class Snippet:
    line: int
    text: str

    @property
    def expected_codes(self) -> set[str]:
        marker = _MARKER.match(self.text)
        return set((marker["codes"] or "").split()) if marker else set()

    def as_sop(self) -> str:
        """The snippet itself when complete; else wrapped into the minimal SOP."""
        if not _MARKER.match(self.text):
            return self.text
        fragment = yaml.safe_load(self.text)
        base = {key: value for key, value in MINIMAL_SOP.items() if key not in fragment}
        if "permissions" not in fragment:
            base["permissions"] = {"allow": sorted(set(_actions(fragment)))}
        return yaml.safe_dump(base, sort_keys=False) + self.text

    def __str__(self) -> str:
        return f"line {self.line}"


def _actions(value: Any) -> Iterator[str]:
    """Every operation a fragment calls, for the wrapper's allowlist."""
    if isinstance(value, dict):
        if isinstance(value.get("action"), str):
            yield value["action"]
        for item in value.values():
            yield from _actions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _actions(item)


def snippets(*, scenarios: bool = False) -> list[Snippet]:
    """The SOP snippets, or with ``scenarios`` the scenario snippets (``# scenario: SOP``)."""
    text = GUIDE.read_text()
    return [
        Snippet(text.count("\n", 0, match.start("body")) + 1, match["body"])
        for match in _FENCE.finditer(text)
        if bool(_SCENARIO.match(match["body"])) == scenarios
    ]


def test_the_guide_has_complete_sops_fragments_and_pitfalls() -> None:
    found = snippets()
    complete = [s for s in found if not _MARKER.match(s.text)]
    pitfalls = [s for s in found if s.expected_codes]
    assert len(found) >= 15
    assert complete, "the guide shows at least one complete SOP"
    assert all(s.text.startswith("# yaml-language-server:") for s in complete), complete
    assert len(pitfalls) >= 4


@pytest.mark.parametrize("snippet", snippets(), ids=str)
def test_snippet_validates_to_exactly_what_it_promises(snippet: Snippet) -> None:
    loaded = validate_text(snippet.as_sop(), f"{GUIDE.name}:{snippet.line}", today=TODAY)
    found = {diagnostic.code for diagnostic in loaded.diagnostics}
    rendered = [diagnostic.render() for diagnostic in loaded.diagnostics]
    assert found == snippet.expected_codes, rendered


@pytest.mark.parametrize("snippet", snippets(scenarios=True), ids=str)
def test_scenario_snippet_is_a_real_excerpt_that_loads(snippet: Snippet) -> None:
    marker = _SCENARIO.match(snippet.text)
    assert marker is not None
    scenario_file = REPO / "sops" / f"{marker['sop']}.test.yml"
    excerpt = snippet.text[marker.end() :]
    assert excerpt in scenario_file.read_text(), "copy the excerpt from the scenario file"
    sop = load_scenario_file(scenario_file).sop
    loaded = load_scenario_text(excerpt, f"{GUIDE.name}:{snippet.line}", sop=sop)
    assert loaded.scenarios
    assert not loaded.diagnostics, [d.render() for d in loaded.diagnostics]


def test_the_operations_table_matches_the_catalogue() -> None:
    rows = re.findall(
        r"^\| `(?P<name>[a-z_]+\.[a-z_]+)` \| (?P<kind>[a-z, ]+) \| (?P<args>[^|]+) \| (?P<fields>[^|]+) \|$",
        GUIDE.read_text(),
        re.MULTILINE,
    )
    documented = {name: (kind, args.strip(), fields.strip()) for name, kind, args, fields in rows}
    expected = {}
    for operation in build_catalogue():
        kind = "write" if operation.writes else "read"
        if operation.writes and operation.accepts_idempotency_key:
            kind += ", key"
        elif operation.writes and operation.idempotent:
            kind += ", idempotent"
        arguments = ", ".join(
            name + ("" if name in operation.required_arguments else "?")
            for name in operation.argument_names
        )
        expected[operation.name] = (kind, arguments, ", ".join(operation.result.model_fields))
    assert documented == expected


def test_the_sample_table_lists_exactly_the_sample_library() -> None:
    table = GUIDE.read_text().split("## The sample library", 1)[1]
    listed = set(re.findall(r"^\| `([a-z-]+\.yml)` \|", table, re.MULTILINE))
    assert listed == {path.name for path in (REPO / "sops").iterdir() if is_sop_file(path)}


def test_the_graph_example_is_what_sopbot_graph_prints() -> None:
    shown = re.search(
        r"^```mermaid\n(?P<chart>.*?)^```", GUIDE.read_text(), re.MULTILINE | re.DOTALL
    )
    assert shown is not None
    procedure = load_file(REPO / "sops" / "weekly-kpi-report.yml").procedure
    assert procedure is not None
    assert shown["chart"] == to_mermaid(procedure, build_catalogue())
