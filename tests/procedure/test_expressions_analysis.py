"""Static analysis of conditions and templates: what a validator (and a person reading its
findings) relies on. The fast recogniser must agree with Jinja's own parser on every text
it accepts, and hand everything else to Jinja."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.procedure.expressions import (
    Analysis,
    ExpressionError,
    Reference,
    _environment,
    _jinja_analysis,
    _parse,
    analyse,
    check_syntax,
    known_filters,
    known_tests,
    references,
)


def names(text: str, *, condition: bool = True) -> list[str]:
    return [str(reference) for reference in references(text, condition=condition)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("inputs.amount > 500 and order.status == 'paid'", ["inputs.amount", "order.status"]),
        ("order['total'] >= limit", ["order.total", "limit"]),
        ("items[0].sku", ["items"]),
        ("ticket.tags[index] in wanted", ["ticket.tags", "index", "wanted"]),
        ("account.name | default('?') | upper", ["account.name"]),
        ("reply.text is defined and not reply.skipped", ["reply.text", "reply.skipped"]),
        ("[a, b.c] | min > (d, e)[0]", ["a", "b.c", "d", "e"]),
        ("x.get('k', fallback)", ["x.get", "fallback"]),
        ("true or none or False", []),
        ("'done' if finished else pending", ["finished", "pending"]),
        (
            "{'pro': p, 'free': f}.get(account.tier, fallback)",
            ["p", "f", "account.tier", "fallback"],
        ),
    ],
)
def test_a_condition_lists_every_name_it_reads(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_a_template_lists_the_names_of_all_its_expressions() -> None:
    text = "Refund {{ refund.amount }} {{- order.currency -}} for {{ account['name'] }}"
    assert names(text, condition=False) == ["refund.amount", "order.currency", "account.name"]


def test_names_bound_inside_a_template_are_not_free() -> None:
    text = "{% for line in order.lines %}{{ line.sku }} {{ extra }}{% endfor %}"
    assert names(text, condition=False) == ["order.lines", "extra"]


def test_filters_and_tests_are_reported_separately_from_names() -> None:
    analysis = analyse("name | trim | defualt('x') is strng", condition=True)
    assert analysis == Analysis(
        (Reference("name", ()),), frozenset({"trim", "defualt"}), frozenset({"strng"})
    )


@pytest.mark.parametrize(
    ("text", "private"),
    [
        ("order.__class__", {"__class__"}),
        ("order['__globals__'].x", {"__globals__"}),
        ("''.__class__.__mro__", {"__class__", "__mro__"}),
        ("order | attr('__dict__')", {"__dict__"}),
        ("lines | map(attribute='sku._raw') | list", {"_raw"}),
        ("lines | join('_')", set()),
        ("order.total_amount", set()),
    ],
)
def test_private_attributes_are_noted_wherever_they_are_read(text: str, private: set[str]) -> None:
    assert analyse(text, condition=True).private == private
    assert analyse("{{ " + text + " }}", condition=False).private == private


def test_the_known_filters_and_tests_are_exactly_the_sandboxs() -> None:
    assert known_filters() == frozenset(_environment().filters)
    assert known_tests() == frozenset(_environment().tests)


@pytest.mark.parametrize(
    ("text", "condition"),
    [("amount >", True), ("a b", True), ("{{ a.b( }}", False), ("{% if %}", False)],
)
def test_text_that_does_not_parse_raises_a_syntax_error(text: str, condition: bool) -> None:
    with pytest.raises(ExpressionError, match="syntax error"):
        check_syntax(text, condition=condition)
    with pytest.raises(ExpressionError, match="syntax error"):
        references(text, condition=condition)


# --- the recogniser agrees with Jinja ------------------------------------------------------

_NAMES = st.sampled_from(["a", "order", "inputs", "true", "None", "not", "in", "is", "if"])
_LITERALS = st.sampled_from(["1", "0", "2.5", "'s'", '"t"', "007", "1e3", "'x}}'"])
_SUFFIXES = st.sampled_from(
    [
        ".total",
        "['k']",
        "[0]",
        "[i]",
        "(1)",
        "(a, k=b)",
        "(k=1, 2)",
        "|upper",
        "|default(0)",
        " is defined",
        " is not none",
        " is sameas(b)",
        " is odd 3",
        "|f.g",
        "|f()()",
        ".",
        ".__class__",
        "['_k']",
        "|attr('_a')",
        "|map(attribute='b._c')",
        "|join('_')",
    ]
)
_OPERATORS = st.sampled_from(
    [
        " == ",
        " and ",
        " or not ",
        " not in ",
        " in ",
        " + ",
        " ~ ",
        " ** -",
        " if ",
        " else ",
        " < ",
        ", ",
        " == not ",
        " // ",
        "=",
    ]
)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, _SUFFIXES).map("".join),
        st.tuples(children, _OPERATORS, children).map("".join),
        st.tuples(
            st.sampled_from(["(", "[", "-", "not ", "{", "{k: "]),
            children,
            st.sampled_from([")", "]", ",)", "", "}", ": 1}", ", 1: 2}"]),
        ).map("".join),
    )


_EXPRESSIONS = st.recursive(st.one_of(_NAMES, _LITERALS), _extend, max_leaves=8)
_TEMPLATES = st.lists(
    st.one_of(
        st.sampled_from(["text ", "}} ", "{", "{%- x %}"]),
        _EXPRESSIONS.map(lambda body: "{{ " + body + " }}"),
        _EXPRESSIONS.map(lambda body: "{{-" + body + "-}}"),
    ),
    min_size=1,
    max_size=4,
).map("".join)


def _fast(text: str, condition: bool) -> Analysis | str:
    try:
        return analyse(text, condition=condition)
    except ExpressionError as error:
        return str(error)


def _jinja(text: str, condition: bool) -> Analysis | str:
    try:
        return _jinja_analysis(_parse("{{ " + text + " }}" if condition else text))
    except ExpressionError as error:
        return str(error)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_EXPRESSIONS.map(lambda e: (e, True)), _TEMPLATES.map(lambda t: (t, False))))
def test_the_fast_analysis_equals_jinjas(case: tuple[str, bool]) -> None:
    text, condition = case
    assert _fast(text, condition) == _jinja(text, condition)
