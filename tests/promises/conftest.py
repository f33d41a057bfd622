"""The seed of a randomised promise test: taken from SOPBOT_PROMISE_SEED or drawn, and
printed with the failure so the same run can be repeated."""

from __future__ import annotations

import os
import random
from collections.abc import Generator

import pytest

SEED_VARIABLE = "SOPBOT_PROMISE_SEED"


@pytest.fixture
def promise_seed(request: pytest.FixtureRequest) -> int:
    """The seed for this test's random choices (kill moments, decisions, clock jumps)."""
    given = os.environ.get(SEED_VARIABLE)
    seed = int(given) if given else random.randrange(2**32)
    request.node.promise_seed = seed
    return seed


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    seed = getattr(item, "promise_seed", None)
    if report.failed and seed is not None:
        report.sections.append(
            (
                "promise seed",
                f"repeat with: {SEED_VARIABLE}={seed} .venv/bin/python -m pytest '{item.nodeid}'",
            )
        )
    return report
