"""The date functions of SOP expressions, through the real sandbox and the validator, and
the guide's table of examples, each row evaluated as written."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.procedure import expressions
from bot.procedure.expressions import ExpressionError
from bot.validation.validator import validate_text

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "writing-sops.md"
CONTEXT = {
    "today": dt.date(2024, 11, 1),
    "now": dt.datetime(2024, 11, 1, 9, 0),
    "order": {"delivered_on": "October 10th, 2024"},
    "constants": {"return_window_days": 30},
}


def _guide_examples() -> list[tuple[str, str]]:
    section = GUIDE.read_text().split("### Dates", 1)[1].split("\n### ", 1)[0]
    rows = re.findall(r"^\| `(?P<expression>[^`]+)` \| `(?P<value>[^`]+)` \|$", section, re.M)
    assert len(rows) >= 6
    return rows


@pytest.mark.parametrize(("expression", "value"), _guide_examples())
def test_the_guides_examples_give_what_it_says(expression: str, value: str) -> None:
    assert str(expressions.evaluate(expression, CONTEXT)) == value


@pytest.mark.parametrize(
    "text",
    ["2024-10-10", "2024-10-10T09:30:00+00:00", "October 10th, 2024", "Oct 10 2024", "10 Oct 2024"],
)
def test_text_dates_in_common_forms_are_read(text: str) -> None:
    assert expressions.evaluate("to_date(when)", {"when": text}) == dt.date(2024, 10, 10)


@pytest.mark.parametrize(
    ("expression", "said"),
    [
        ('to_date("Octobr 10, 2024")', "cannot read 'Octobr 10, 2024' as a date"),
        ('to_date("10/10/2024")', "write it like 2024-10-10 or October 10, 2024"),
        ('add_duration(today, "2h")', "a date moves by whole days"),
        ('add_duration(today, "soon")', "add_duration:"),
        ("to_date(5)", "to_date reads a date or a text date, not int"),
    ],
)
def test_what_cannot_work_says_why(expression: str, said: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(said)):
        expressions.evaluate(expression, CONTEXT)


def test_each_call_counts_against_the_evaluation_budget() -> None:
    long_text = "x" * 101
    with pytest.raises(ExpressionError, match="at most 100 characters"):
        expressions.evaluate("to_date(t)", {"t": long_text})


SOP = """\
id: dates
title: Dates
owner: U01MARIA
version: 1
review: {every: 90d, last_reviewed: 2026-11-01}
trigger: {command: dates}
inputs:
  delivered_on: {type: string}
steps:
  - id: late
    when: days_between(inputs.delivered_on, today) > 30 and to_dat(inputs.delivered_on) < today
    end: failed
    message: "Delivered {{ format_date(inputs.delivered_on, '%d %B %Y') }}"
  - id: done
    end: completed
"""


def test_the_validator_knows_the_date_functions_and_spots_a_misspelt_one() -> None:
    loaded = validate_text(SOP, "dates.yml", today=dt.date(2026, 11, 22))
    assert [d.message for d in loaded.diagnostics] == [
        "unknown name 'to_dat' (did you mean 'to_date'?)"
    ]
