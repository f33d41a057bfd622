"""Front door tests run the real engine on the sandbox tools (the engine tests' harness)."""

from __future__ import annotations

from tests.engine.conftest import make_harness as make_harness
