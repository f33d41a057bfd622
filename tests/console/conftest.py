"""Console tests start the real ``sopbot run`` in a pseudo-terminal, each on a new database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.console.terminal import Console


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    """A console as Maria on a freshly seeded sandbox; nothing it prints may be a traceback."""
    opened = Console(tmp_path)
    try:
        yield opened
    finally:
        opened.child.terminate(force=True)
    assert "Traceback" not in opened.text(), opened.text()
