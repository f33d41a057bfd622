"""Hostile YAML: alias bombs, self-referencing aliases, deep nesting, huge files and tags.

Each is one clear finding at its position, reached quickly (the pytest timeout is the bound
on time; building the bomb would need gigabytes), and the files around it keep serving.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.app import main
from bot.library import Library
from bot.procedure.loader import load_file, load_text
from bot.procedure.source_map import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES
from bot.scenarios.loader import load_scenario_file, load_scenario_text
from storage.database import Database

GOOD = Path(__file__).parent.parent / "validation" / "good" / "refund-request.yml"

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
RECURSIVE_ALIAS = "id: loop\nsteps: &a [*a]\n"
DEEP_FLOW = "id: deep\nsteps: " + "[" * 500 + "]" * 500 + "\n"
DEEP_BLOCK = "id: deep\nsteps:\n" + "".join("  " * level + "- \n" for level in range(200))
DEEP_MAPPING = "id: deep\n" + "".join("  " * level + f"k{level}:\n" for level in range(200))


def only_finding(text: str) -> tuple[int, int, str, str]:
    loaded = load_text(text, "sop.yml")
    assert loaded.procedure is None
    [finding] = loaded.diagnostics
    return finding.line, finding.column, finding.code, finding.message


@pytest.mark.timeout(10)
def test_an_alias_bomb_is_one_finding_not_gigabytes_of_memory() -> None:
    line, column, code, message = only_finding(BILLION_LAUGHS)
    assert code == "SOP003"
    assert message == (
        f"aliases (*name) expand this file to more than {MAX_VALUES:,} values; "
        "an SOP file may repeat a block with an alias, not multiply it"
    )
    assert (line, column) == (6, 4)


@pytest.mark.timeout(10)
def test_an_alias_inside_the_value_it_names_is_one_finding() -> None:
    assert only_finding(RECURSIVE_ALIAS) == (
        2,
        8,
        "SOP003",
        "the alias *a is used inside the value it names, so the value never ends",
    )


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "text", [DEEP_FLOW, DEEP_BLOCK, DEEP_MAPPING], ids=["flow", "block", "map"]
)
def test_deep_nesting_is_one_finding(text: str) -> None:
    *_, code, message = only_finding(text)
    assert code == "SOP003"
    assert message == (
        f"values are nested more than {MAX_DEPTH} levels deep here; "
        "an SOP file is nested only a few levels"
    )


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    big = tmp_path / "big.yml"
    big.write_text("id: big\nnotes: [" + "1," * MAX_FILE_BYTES + "]\n")
    [finding] = load_file(big).diagnostics
    assert (finding.line, finding.column, finding.code) == (1, 1, "SOP003")
    assert finding.message == (
        f"the file is {big.stat().st_size:,} bytes; an SOP file is at most {MAX_FILE_BYTES:,}"
    )


@pytest.mark.parametrize(
    ("text", "position", "tag"),
    [
        (
            'id: x\nsteps: !!python/object/apply:os.system ["ls"]\n',
            (2, 8),
            "!!python/object/apply:os.system",
        ),
        ("id: x\nroles: !custom {a: [U01]}\n", (2, 8), "!custom"),
        ("id: x\nroles: !!set {a, b}\n", (2, 8), "!!set"),
        ("id: x\ntitle: !!python/name:os.system x\n", (2, 8), "!!python/name:os.system"),
        ("id: x\ntitle: !secret x\n", (2, 8), "!secret"),
    ],
)
def test_a_yaml_tag_anywhere_is_reported_at_its_position(
    text: str, position: tuple[int, int], tag: str
) -> None:
    assert only_finding(text) == (
        *position,
        "SOP004",
        f"the YAML tag '{tag}' is not allowed: an SOP file holds plain text, numbers, "
        "lists and mappings",
    )


def test_the_standard_tags_of_plain_data_are_still_read() -> None:
    loaded = load_text("id: x\nversion: !!str 2\nsteps: !!seq []\nroles: !!map {}\n")
    assert loaded.data == {"id": "x", "version": "2", "steps": [], "roles": {}}
    assert all(d.code not in ("SOP003", "SOP004") for d in loaded.diagnostics)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("text", [BILLION_LAUGHS, RECURSIVE_ALIAS, DEEP_FLOW])
def test_scenario_files_share_the_limits(text: str) -> None:
    [finding] = load_scenario_text(text, "refund.test.yml").diagnostics
    assert finding.code == "SCN001"


def test_an_oversized_scenario_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "refund.yml").write_text(GOOD.read_text())
    scenario = tmp_path / "refund.test.yml"
    scenario.write_text("- name: x\n" + "#" * MAX_FILE_BYTES + "\n")
    [finding] = load_scenario_file(scenario).diagnostics
    assert finding.code == "SCN001"
    assert finding.message.startswith("the file is ")


@pytest.fixture
def hostile_folder(tmp_path: Path) -> Path:
    """A good procedure among every kind of hostile file."""
    folder = tmp_path / "sops"
    folder.mkdir()
    (folder / "refund-request.yml").write_text(GOOD.read_text())
    for name, text in [
        ("bomb.yml", BILLION_LAUGHS),
        ("loop.yml", RECURSIVE_ALIAS),
        ("deep.yml", DEEP_FLOW),
        ("tagged.yml", "id: x\nsteps: !!python/object/apply:os.system [ls]\n"),
    ]:
        (folder / name).write_text(text)
    return folder


@pytest.mark.timeout(30)
def test_the_library_serves_the_good_procedure_beside_hostile_files(
    hostile_folder: Path, database: Database
) -> None:
    from datetime import UTC, datetime

    library = Library.load(hostile_folder, database, now=datetime(2026, 11, 23, tzinfo=UTC))
    assert list(library.procedures) == ["refund-request"]
    codes = sorted((Path(d.file).name, d.code) for d in library.diagnostics)
    assert codes == [
        ("bomb.yml", "SOP003"),
        ("deep.yml", "SOP003"),
        ("loop.yml", "SOP003"),
        ("tagged.yml", "SOP004"),
    ]


@pytest.mark.timeout(30)
def test_sopbot_validate_reports_each_hostile_file_and_checks_the_rest(
    hostile_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(hostile_folder)]) == 1
    out = capsys.readouterr().out
    assert out.count(": SOP003 ") == 3
    assert out.count(": SOP004 ") == 1
    assert out.splitlines()[-1] == "4 errors in 5 files"
