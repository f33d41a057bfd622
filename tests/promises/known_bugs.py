"""Engine bugs these tests found that are not fixed yet.

A test that always fails because of one carries its mark, strict: once the bug is fixed
the test passes, the run reports it, and the mark must go. The randomised crash test meets
a bug only on some seeds; there ``assert_kept`` turns the broken promises that have the
bug's known shape into an expected failure, and fails on anything else. Each reason names
the place to fix; delete it with the fix, and what still refers to it goes too.
"""

from __future__ import annotations

import pytest

SLA_CALL_TAKEN_FOR_THE_RUNS_OWN = (
    "bot/engine/executor.py Executor.advance recovers journal.unfinished_step(run), which "
    "is any 'started' entry of the run, an SLA link's call included: when the run's own "
    "advance comes before the link is taken up again, the run is escalated as 'may or may "
    "not have happened' for a call that is not one of its steps (Worker._after_crash only "
    "tells the owner and lets the run go on)"
)
KNOWN_SHAPES = {
    "was cut off, and nobody was told": SLA_CALL_TAKEN_FOR_THE_RUNS_OWN,
    "escalated as maybe done, but none of its steps' calls is": SLA_CALL_TAKEN_FOR_THE_RUNS_OWN,
}
"""A line of ``ledger`` about a broken promise → the known bug that produces it."""


def known_bug(request: pytest.FixtureRequest, reason: str) -> None:
    """Mark the running test as failing for ``reason``."""
    request.applymarker(pytest.mark.xfail(reason=reason, strict=True))


def assert_kept(problems: list[str]) -> None:
    """No promise is broken; if all that is broken has the shape of known bugs, xfail."""
    if not problems:
        return
    reasons = {
        reason for problem in problems for shape, reason in KNOWN_SHAPES.items() if shape in problem
    }
    if all(any(shape in problem for shape in KNOWN_SHAPES) for problem in problems):
        pytest.xfail("; ".join(sorted(reasons)))
    raise AssertionError("promises broken:\n" + "\n".join(problems))
