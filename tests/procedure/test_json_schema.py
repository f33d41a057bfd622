"""The JSON Schema editors use agrees with the loader: every sample passes it, and the
committed schema file is the one ``sopbot schema`` writes today."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.cli.schema_cmd import schema_json
from bot.procedure.loader import is_sop_file

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted(path for path in (ROOT / "sops").glob("*.yml") if is_sop_file(path))


def _as_editor_sees_it(path: Path) -> object:
    """YAML as a language server reads it: dates stay text."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))


def test_the_committed_schema_file_is_current() -> None:
    assert (ROOT / "schema" / "sop.schema.json").read_text() == schema_json(), "run `sopbot schema`"


@pytest.mark.parametrize("path", SAMPLES, ids=[path.stem for path in SAMPLES])
def test_every_sample_passes_the_editor_schema(path: Path) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(schema_json()))
    assert [error.message for error in validator.iter_errors(_as_editor_sees_it(path))] == []


def test_the_schema_rejects_what_the_loader_rejects() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(schema_json()))
    broken = _as_editor_sees_it(SAMPLES[0])
    assert isinstance(broken, dict)
    broken["steps"][0]["on_failure"] = "explode"
    broken["owner"] = "maria"
    messages = " ".join(error.message for error in validator.iter_errors(broken))
    assert "'maria' does not match" in messages
    assert "'explode'" in messages
