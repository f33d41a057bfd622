"""The broken-SOP corpus: every file (or folder of files) in ``broken/`` states in
``# expect:`` lines exactly the diagnostics it must produce, so the corpus documents each
rule by example and fails when a rule stops firing or fires where it should not."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.procedure.diagnostics import Diagnostic
from bot.validation.rules import RULES
from bot.validation.validator import validate_paths, validate_text

HERE = Path(__file__).parent
REPO = HERE.parent.parent
CORPUS = HERE / "broken"
GOOD = HERE / "good"
TODAY = dt.date(2026, 11, 22)
EXPECT = "# expect: "


def expected(path: Path) -> list[str]:
    return [
        line[len(EXPECT) :] for line in path.read_text().splitlines() if line.startswith(EXPECT)
    ]


def rendered(diagnostic: Diagnostic) -> str:
    where = f"{diagnostic.location}: " if diagnostic.location else ""
    return f"{diagnostic.line}:{diagnostic.column} {diagnostic.code} {where}{diagnostic.message}"


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.yml")), ids=lambda path: path.name)
def test_broken_file_yields_exactly_its_expected_diagnostics(path: Path) -> None:
    loaded = validate_text(path.read_text(), path.name, today=TODAY)
    assert [rendered(d) for d in loaded.diagnostics] == expected(path)
    assert all(d.hint for d in loaded.diagnostics), "every finding says how to fix it"


@pytest.mark.parametrize(
    "folder", sorted(p for p in CORPUS.iterdir() if p.is_dir()), ids=lambda path: path.name
)
def test_broken_folder_yields_exactly_its_expected_diagnostics(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)  # the messages name the other file by the path given
    report = validate_paths([folder.relative_to(REPO)], today=TODAY)
    for loaded in report.files:
        assert [rendered(d) for d in loaded.diagnostics] == expected(REPO / loaded.file)


def test_each_corpus_file_shows_the_rule_it_is_named_after() -> None:
    for path in CORPUS.rglob("*.yml"):
        named = re.match(r"sop\d+", path.name) or re.match(r"sop\d+", path.parent.name)
        assert named, f"{path.name} is not named after a rule"
        codes = {line.split()[1] for line in expected(path)}
        if path.parent != CORPUS and not codes:
            continue  # the first file of a cross-file case is clean
        assert named.group().upper() in codes, path.name


def test_corpus_covers_every_rule() -> None:
    shown = {line.split()[1] for path in CORPUS.rglob("*.yml") for line in expected(path)}
    assert set(RULES) - {"SOP000"} <= shown, "every rule needs a corpus example"


def test_a_complete_realistic_procedure_has_no_findings() -> None:
    report = validate_paths([GOOD], today=TODAY)
    assert [d.render() for d in report.diagnostics] == []
    assert [procedure.id for procedure in report.procedures] == ["refund-request"]
