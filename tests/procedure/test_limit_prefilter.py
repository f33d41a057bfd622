"""The validator's check for constants over the evaluation limits (SOP213) parses an
expression with Jinja only when its text can hold such a constant. That shortcut keeps
``sopbot validate`` fast on a large library (most expressions are ``limit * 2``), so it must
never hide a problem the full check finds: these tests compare the two on hand-picked and
generated expressions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.procedure.expressions import ExpressionError, _limit_problems, limit_problems


def _full(text: str, *, condition: bool) -> tuple[str, ...]:
    """What the constant folder finds with no shortcut (nothing in a text that does not
    parse: SOP207 reports that)."""
    try:
        return _limit_problems("{{ " + text + " }}" if condition else text)
    except ExpressionError:
        return ()


def _shortcut(text: str, *, condition: bool) -> tuple[str, ...]:
    try:
        return limit_problems(text, condition=condition)
    except ExpressionError:
        return ()


@pytest.mark.parametrize(
    "expression",
    [
        "9 ** (9 ** 9)",
        "(2 ** 4000) * (2 ** 4000)",
        "'x' * 10 ** 9",
        "10 ** 9 * 'x'",
        "[1] * 10 ** 9",
        "[1] * 1000000000",
        "('x' ~ 'y') * 1000000000",
        "none | center(1000000000)",
        "True | center(1000000000)",
        "('ab' * 600000) + ('cd' * 600000)",
        "limit * 2 + 'x' * 10 ** 9",
        "'x' | upper * 10 ** 9",
        "'%0999999999d' % 1",
        "'{:>999999999}'.format(1)",
        "'%099999d' | format(1)",
        "'x' | center(10 ** 9)",
        "'x'.ljust(10 ** 9)",
        "'7'.zfill(10 ** 9)",
    ],
)
def test_every_constant_over_the_limits_is_still_found(expression: str) -> None:
    found = limit_problems(expression, condition=True)
    assert found
    assert found == _full(expression, condition=True)
    template = "Total: {{ " + expression + " }}"
    assert limit_problems(template, condition=False) == found


@pytest.mark.parametrize(
    "expression", ["limit * 2", "p7_limit * (index + 1)", "amount % 100", "xs | batch(3)"]
)
def test_an_operation_on_names_has_nothing_to_fold(expression: str) -> None:
    assert limit_problems(expression, condition=True) == ()
    assert _full(expression, condition=True) == ()


_LEAVES = st.sampled_from(
    ["limit", "xs", "true", "None", "9", "4000", "1000000000", "2.5", "'x'", "'%0999999d'", "[1]"]
)
_SUFFIXES = st.sampled_from(
    [" ** 9", "|center(1000000000)", ".ljust(10 ** 9)", "|upper", "[0]", "|format(1)", ".total"]
)
_OPERATORS = st.sampled_from([" * ", " ** ", " % ", " + ", " ~ ", " and ", " == "])


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, _SUFFIXES).map("".join),
        st.tuples(children, _OPERATORS, children).map("".join),
        st.tuples(st.sampled_from(["(", "[", "-"]), children).map(
            lambda parts: parts[0] + parts[1] + {"(": ")", "[": "]", "-": ""}[parts[0]]
        ),
    )


_EXPRESSIONS = st.recursive(_LEAVES, _extend, max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(_EXPRESSIONS)
def test_the_shortcut_agrees_with_the_full_check(expression: str) -> None:
    assert _shortcut(expression, condition=True) == _full(expression, condition=True)
    template = "{{ " + expression + " }} and {{ limit }}"
    assert _shortcut(template, condition=False) == _full(template, condition=False)
