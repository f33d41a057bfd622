"""Expressions are bounded: no condition or template can hold a worker, exhaust its memory,
or reach past the data it is given. A violation is an ordinary ExpressionError with a
reason a person can act on; the pytest timeouts are the bound on time (each of these would
otherwise run for hours or take gigabytes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest

from bot.harness import Harness
from bot.procedure import dates, limits
from bot.procedure.expressions import JINJA_GLOBALS, ExpressionError, _environment, evaluate, render
from bot.procedure.loader import load_text
from bot.validation.validator import check_loaded
from storage.database import Database

LONG_TEXT = "y" * 5_000
FROZEN = lambda: 0.0  # noqa: E731 - a clock that never moves: only the step limit applies
CONTEXT: dict[str, Any] = {"xs": list(range(1_000)), "text": LONG_TEXT, "big": "b" * 100_000}


def refusal(text: str, *, template: bool = False) -> str:
    run = render if template else evaluate
    with pytest.raises(ExpressionError) as raised:
        run(text, CONTEXT)
    return str(raised.value)


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("9 ** (9 ** 9)", "9 ** 387420489 makes a number of about 1,228,093,894 bits"),
        ("(2 ** 4000) * (2 ** 4000)", "expressions work with numbers up to 4,096 bits"),
        ("'x' * 10 ** 9", "makes a value over 1,000,000 characters"),
        ("[1] * 10 ** 9", "makes a value over 1,000,000 characters"),
        ("[big] * 20", "makes a value over 1,000,000 characters"),
        ("'%0999999999d' % 1", "the width in the format '%0999999999d' is 999,999,999"),
        ("'%*d' % (10 ** 9, 1)", "a '*' width in a % format is not supported"),
        ("'{:>999999999}'.format(1)", "the width in the format '{:>999999999}' is 999,999,999"),
        ("'{:{}}'.format(1, 10 ** 9)", "a {nested} width in a format is not supported"),
        ("'%099999d' | format(1)", "the width in the format '%099999d' is 99,999"),
        ("'x' | center(10 ** 9)", "the width of the filter center is 1,000,000,000"),
        ("'x' | indent(10 ** 9)", "the width of the filter indent is 1,000,000,000"),
        ("xs | batch(10 ** 9, 0) | list", "the linecount of the filter batch is 1,000,000,000"),
        ("xs | slice(10 ** 9) | list", "the slices of the filter slice is 1,000,000,000"),
        ("'x'.ljust(10 ** 9)", "the width of ljust is 1,000,000,000"),
        ("'7'.zfill(10 ** 9)", "the width of zfill is 1,000,000,000"),
        ("text | replace('', text)", "replacing '' with 'yyyy"),
        ("text.replace('', text)", "replacing '' with 'yyyy"),
        ("text.join([text] * 199)", "makes a value over 1,000,000 characters"),
        ("([text] * 199) | join(text)", "makes a value over 1,000,000 characters"),
        ("[[1]] * 100 | sum(start=[])", "the filter sum adds numbers"),
    ],
)
def test_operations_that_would_make_huge_values_are_refused_before_they_run(
    expression: str, reason: str
) -> None:
    message = refusal(expression)
    assert message.startswith(f"cannot evaluate '{expression}': ")
    assert reason in message


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    ("template", "reason"),
    [
        (
            "{% for a in xs %}{% for b in xs %}{% for c in xs %}{% endfor %}{% endfor %}"
            "{% endfor %}",
            "it takes more than 200,000 steps",
        ),
        ("{% for a in xs %}{{ big }}{% endfor %}", "the text it renders is over 1,000,000"),
        (
            "{% macro double(s, n) %}{{ double(s ~ s, n - 1) if n else s }}{% endmacro %}"
            "{{ double('x', 64) }}",
            "over 1,000,000 characters",
        ),
        (
            "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
            "{{ f(60) }}",
            "it takes more than 200,000 steps",
        ),
        ("{{ xs | map('string') | map('center', 10000) | join }}", "over 1,000,000 characters"),
    ],
)
def test_templates_that_would_loop_or_grow_for_hours_are_stopped(
    template: str, reason: str
) -> None:
    with limits.budget(limits.Budget(clock=FROZEN)):  # the step limit, however busy the machine
        assert reason in refusal(template, template=True)


def test_evaluation_stops_at_the_time_limit_whatever_it_is_doing() -> None:
    ticks = count()
    slow_clock = lambda: next(ticks) * 0.01  # noqa: E731 - each look at the clock is 10 ms later
    with limits.budget(limits.Budget(clock=slow_clock)):
        message = refusal("{% for a in xs %}{{ a }}{% endfor %}", template=True)
    assert "it ran longer than 0.5 s" in message


def test_one_budget_covers_every_template_of_a_value() -> None:
    loop = "{% for a in xs %}{% for b in xs[:120] %}{% endfor %}{% endfor %}done"  # 121,000
    with limits.budget(limits.Budget(clock=FROZEN)):
        assert render(loop, CONTEXT) == "done"
    with (
        limits.budget(limits.Budget(clock=FROZEN)),
        pytest.raises(ExpressionError, match="it takes more than 200,000 steps"),
    ):
        render({"first": loop, "second": loop}, CONTEXT)


@pytest.mark.parametrize("name", sorted(JINJA_GLOBALS))
def test_no_jinja_global_exists_at_run_time(name: str) -> None:
    assert _environment().globals == dates.FUNCTIONS  # the date functions, nothing of Jinja's
    assert f"`{name}` is not defined" in refusal(f"{name}")


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("text.__class__", "'__class__' is a private attribute"),
        ("text['__class__']", "'__class__' is a private attribute"),
        ("text | attr('__class__')", "'__class__' is a private attribute"),
        ("text.expandtabs(10 ** 9)", "the method 'expandtabs' of str is not available"),
        ("text.translate({})", "the method 'translate' of str is not available"),
    ],
)
def test_private_attributes_and_unlisted_methods_are_refused_in_words(
    expression: str, reason: str
) -> None:
    assert reason in refusal(expression)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ '%.1f' | format(4.25) }}", "4.2"),
        ("{{ 'weekly_report' | replace('_', ' ') | title }}", "Weekly Report"),
        ("{{ ['a', 'b'] | join(', ') }}", "a, b"),
        ("{{ '{:>5}'.format(7) }}", "    7"),
        ("{{ 'A-B'.lower().split('-') }}", ["a", "b"]),
        ("{{ {'tier': 'pro'}.get('tier') }}", "pro"),
        ("{{ 2 ** 10 * 3 }}", 3072),
        ("{{ day.strftime('%Y-%m-%d') }}", "2026-11-23"),
        ("{% for x in xs[:3] %}{{ loop.index }}{{ loop.cycle('a', 'b') }}{% endfor %}", "1a2b3a"),
        ("{{ xs | select('odd') | sum }}", 250_000),
        ("{{ 'x' ~ 1 ~ none }}", "x1None"),
    ],
)
def test_ordinary_expressions_are_untouched(text: str, expected: object) -> None:
    assert render(text, {**CONTEXT, "day": dt.date(2026, 11, 23)}) == expected


POWER_SOP = """\
id: power
title: Power
owner: U01MARIA
version: 1
review: {every: 90d, last_reviewed: 2026-11-01}
trigger: {command: power}
inputs:
  base: {type: integer}
  exponent: {type: integer}
escalation: {to: [U01MARIA]}
steps:
  - id: compute
    set:
      result: "{{ inputs.base ** inputs.exponent }}"
  - id: done
    end: completed
"""


@pytest.fixture
def harness(database: Database) -> Iterator[Harness]:
    loaded = check_loaded(load_text(POWER_SOP, "sops/power.yml"), today=dt.date(2026, 11, 22))
    assert [d.render() for d in loaded.diagnostics] == []
    opened = Harness.open(database, [loaded])
    yield opened
    opened.close()


@pytest.mark.timeout(30)
def test_a_run_whose_inputs_blow_up_an_expression_escalates_and_the_worker_goes_on(
    harness: Harness,
) -> None:
    hostile = harness.start("power", {"base": 9, "exponent": 9**9})
    assert hostile.status == "escalated"
    assert hostile.reason is not None
    assert "9 ** 387420489 makes a number of about 1,228,093,894 bits" in hostile.reason
    assert harness.start("power", {"base": 2, "exponent": 10}).status == "completed"
