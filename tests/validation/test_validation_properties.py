"""Properties that must hold for any input: a valid procedure survives a trip through
YAML unchanged, and no file, however broken, makes the loader or the validator raise."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.procedure.loader import LoadedSop, load_file, load_text
from bot.procedure.model import Procedure
from bot.validation.rules import RULES
from bot.validation.validator import validate_paths, validate_text
from tests.validation.sop_strategies import procedure_data, procedures

TODAY = dt.date(2026, 11, 22)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def as_yaml(data: object) -> str:
    # allow_unicode=True would write U+0085 raw, which YAML reads back as a line break
    return yaml.safe_dump(data, sort_keys=False)


def assert_only_findings(loaded: LoadedSop) -> None:
    """Every finding is a registered rule at a real position, and none is a crash."""
    lines = loaded.text.count("\n") + 1
    for finding in loaded.diagnostics:
        assert finding.code in RULES
        assert finding.code != "SOP000", finding.message
        assert 1 <= finding.line <= lines + 1
        assert finding.column >= 1
        assert finding.hint


@FAST
@given(procedures)
def test_a_valid_procedure_survives_a_round_trip_through_yaml(procedure: Procedure) -> None:
    data = procedure.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    loaded = load_text(as_yaml(data))
    assert loaded.diagnostics == []
    assert loaded.procedure == procedure


@FAST
@given(procedure_data)
def test_any_generated_procedure_is_validated_without_crashing(data: dict[str, object]) -> None:
    assert_only_findings(validate_text(as_yaml(data), today=TODAY))


yaml_tokens = st.sampled_from(
    [
        "id",
        "steps",
        "action",
        "with",
        "when",
        "next",
        "goto",
        "wait",
        "until",
        "approval",
        "save_as",
        "set",
        "decide",
        "sla",
        "roles",
        "permissions",
        "limits",
        "crm.refund",
        "role:x",
        "{{ a.b }}",
        "'q'",
        '"dq',
        "[a, b]",
        "{a: 1}",
        "&x",
        "*x",
        "!!str",
        "~",
        "7d",
        "-",
        ":",
        "?",
        "|",
        ">",
        "#",
        "<<",
        "\t",
        "1",
        "true",
        "null",
        "é",
        "\\x00",
    ]
)
yaml_lines = st.tuples(
    st.sampled_from(["", "  ", "    ", "- ", "  - "]),
    st.lists(yaml_tokens, max_size=4).map(" ".join),
)
yaml_texts = st.lists(yaml_lines.map("".join), max_size=12).map("\n".join)


@FAST
@given(st.one_of(yaml_texts, st.text(max_size=200)))
def test_any_text_ends_in_findings_never_an_exception(text: str) -> None:
    loaded = validate_text(text, today=TODAY)
    assert loaded.procedure is not None or loaded.diagnostics
    assert_only_findings(loaded)


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_in_a_file_end_in_findings_never_an_exception(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sop.yml"
        path.write_bytes(raw)
        loaded = load_file(path)
        assert loaded.procedure is not None or loaded.diagnostics
        [validated] = validate_paths([folder], today=TODAY).files
        assert_only_findings(validated)
