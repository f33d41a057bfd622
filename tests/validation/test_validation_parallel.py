"""A large library checked on several processes finds exactly what one process finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.validation import parallel
from bot.validation.validator import validate_paths

BROKEN = Path(__file__).parent / "broken"
GOOD = Path(__file__).parent / "good"


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every good and broken corpus file, twice over (so every id and command clashes
    with a copy in another process's share), with processes worth starting for it."""
    monkeypatch.setattr(parallel, "FILES_PER_PROCESS", 4)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    folder = tmp_path / "library"
    for copy in ("a", "b"):
        for source in [*sorted(GOOD.glob("*.yml")), *sorted(BROKEN.glob("*.yml"))]:
            target = folder / copy / source.relative_to(source.parent.parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source.read_text())
    return folder


def test_several_processes_report_the_same_findings_in_the_same_places(library: Path) -> None:
    alone = validate_paths([library])
    shared = validate_paths([library], jobs=2)

    assert parallel.processes_for(len(shared.files), 2) == 2
    assert [d.render() for d in shared.diagnostics] == [d.render() for d in alone.diagnostics]
    clashes = [d for d in shared.diagnostics if d.code == "SOP501"]
    assert clashes, "the copies' ids clash across the two processes' shares"
    commands = [d for d in clashes if "command" in d.message]
    assert commands
    assert all(d.line > 1 for d in commands)  # placed at the command, not the file's top
    assert shared.error_count == alone.error_count
    with pytest.raises(ValueError, match="findings only"):
        _ = shared.procedures  # a library served must come from one process's check


def test_an_id_that_is_another_s_command_is_found_across_the_processes(library: Path) -> None:
    """The takeover is checked in another process than refund-request, whose command
    'refund' it takes as its id: still a clash, placed at its id."""
    takeover = BROKEN / "sop501-id-is-another-s-command" / "b-takeover.yml"
    (library / "z-takeover.yml").write_text(takeover.read_text())

    shared = validate_paths([library], jobs=2)

    assert [d.render() for d in shared.diagnostics] == [
        d.render() for d in validate_paths([library]).diagnostics
    ]
    [taken] = [d for d in shared.diagnostics if "already the command" in d.message]
    assert taken.file.endswith("z-takeover.yml")
    assert (taken.line, taken.code) == (6, "SOP501")
    assert "'/sop run refund'" in taken.message
