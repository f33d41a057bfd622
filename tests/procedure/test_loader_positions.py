"""The loader turns every broken file into findings that point where a person can fix
it, and never raises: the files around a broken one keep loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.procedure.loader import is_sop_file, load_file, load_text
from bot.procedure.source_map import MAX_FILE_BYTES


def only_finding(text: str) -> tuple[int, int, str, str]:
    loaded = load_text(text, "sop.yml")
    assert loaded.procedure is None
    [finding] = loaded.diagnostics
    return finding.line, finding.column, finding.code, finding.message


def test_an_unclosed_quote_is_reported_where_it_opens() -> None:
    text = 'id: x\ntitle: "Refund\nsteps: []\n'
    assert only_finding(text) == (
        2,
        8,
        "SOP001",
        "found unexpected end of stream while scanning a quoted scalar",
    )


def test_a_tab_indent_says_that_yaml_wants_spaces() -> None:
    line, column, code, message = only_finding("id: x\nsteps:\n\t- id: a\n")
    assert (line, column, code) == (3, 1, "SOP001")
    assert message.endswith("YAML indents with spaces, not tabs")


def test_an_unclosed_bracket_names_where_it_started() -> None:
    line, column, code, message = only_finding("id: x\nroles: {a: [U1\nsteps: []\n")
    assert (code, message) == (
        "SOP001",
        "did not find expected ',' or ']' while parsing a flow sequence (from line 2)",
    )
    assert (line, column) == (3, 6)


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("id: x\nid: y\n", (2, 1), "the key 'id' appears twice in this mapping"),
        (
            "base: &b {a: 1}\nother:\n  <<: *b\n",
            (3, 3),
            "YAML merge keys (<<) are not supported in SOP files",
        ),
    ],
)
def test_yaml_features_sops_do_not_use_are_refused_at_their_position(
    text: str, position: tuple[int, int], message: str
) -> None:
    assert only_finding(text) == (*position, "SOP001", message)


def test_an_empty_file_is_not_a_procedure() -> None:
    assert only_finding("# nothing yet\n") == (
        1,
        1,
        "SOP002",
        "an SOP file holds one mapping (id, title, steps, ...); this one is empty",
    )


def test_files_that_are_not_utf8_too_big_or_unreadable_become_findings(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yml"
    latin.write_bytes(b"id: caf\xe9\n")
    big = tmp_path / "big.yml"
    big.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    messages = [
        load_file(path).diagnostics[0].message for path in (latin, big, tmp_path / "gone.yml")
    ]
    assert messages == [
        "the file is not UTF-8 text (byte 7)",
        f"the file is {MAX_FILE_BYTES + 1:,} bytes; an SOP file is at most {MAX_FILE_BYTES:,}",
        "cannot read the file: No such file or directory",
    ]


@pytest.mark.parametrize(
    ("name", "is_sop"),
    [("refund.yml", True), ("refund.yaml", True), ("refund.test.yml", False), ("notes.md", False)],
)
def test_scenario_files_and_other_files_are_not_sops(name: str, is_sop: bool) -> None:
    assert is_sop_file(Path(name)) is is_sop
