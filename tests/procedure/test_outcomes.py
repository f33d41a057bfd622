"""Failure rules say where to go the same way in both forms: ``goto:STEP`` as a word, or
``then: goto:STEP`` (or ``then: goto`` with ``goto: STEP``) in the object form."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.procedure.outcomes import FailureRule


@pytest.mark.parametrize(
    "written",
    [
        "goto:fix",
        {"then": "goto:fix"},
        {"then": "goto: fix", "retry": {"attempts": 2}},
        {"then": "goto", "goto": "fix"},
        {"then": "goto:fix", "goto": "fix"},
    ],
)
def test_every_form_of_goto_names_the_same_step(written: object) -> None:
    rule = FailureRule.model_validate(written)
    assert (rule.then, rule.goto) == ("goto", "fix")


def test_a_goto_without_a_step_says_where_the_step_goes() -> None:
    with pytest.raises(
        ValidationError, match="write 'then: goto:STEP' or put the step id in 'goto: STEP'"
    ):
        FailureRule.model_validate({"then": "goto", "retry": {"attempts": 1}})


def test_two_different_targets_are_refused() -> None:
    with pytest.raises(ValidationError, match="name different steps; keep one of them"):
        FailureRule.model_validate({"then": "goto:fix", "goto": "other"})
