"""The sandboxed expression language of conditions and templates.

Conditions are Jinja expressions without braces (``inputs.amount > 500``); templates are
text with ``{{ expressions }}``. Evaluation uses Jinja's ``SandboxedEnvironment`` with
strict undefined: no side effects, no attribute tricks, and a missing name is an error,
never an empty string. ``references`` lists every name an expression reads, so the
validator can resolve them before anything runs.

Jinja's parser costs a few hundred microseconds per expression, too slow for validating a
thousand procedures at once, so static analysis first tries a small recogniser for the
common subset of the language (names, attribute and constant-subscript chains, literals,
lists, tuples, dicts, calls, operators, conditionals, filters and tests). It accepts only
text that Jinja parses to the same tree, and hands anything else to Jinja, which stays the
authority on syntax errors. Jinja itself is imported on first need, which keeps ``sopbot validate``
quick to start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.procedure import limits
from bot.procedure.expression_errors import explain

if TYPE_CHECKING:
    from jinja2 import nodes

    from bot.procedure.sandbox import BoundedEnvironment

_WHOLE_EXPRESSION = re.compile(r"^\s*\{\{(?P<body>(?:(?!\{\{|\}\}).)*)\}\}\s*$", re.DOTALL)


class ExpressionError(Exception):
    """An expression that cannot be parsed or evaluated; the message says why."""


@dataclass(frozen=True)
class Reference:
    """A name an expression reads, with the attribute path after it: ``order.total``."""

    root: str
    path: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join((self.root, *self.path))


@dataclass(frozen=True)
class Analysis:
    """What an expression reads (in reading order), the filters and tests it applies, and
    the private attributes (``__class__``, ``_x``) it tries to read, which the sandbox
    refuses."""

    references: tuple[Reference, ...]
    filters: frozenset[str]
    tests: frozenset[str]
    private: frozenset[str] = frozenset()


JINJA_GLOBALS = frozenset(("range", "dict", "namespace", "lipsum", "cycler", "joiner"))
"""Jinja's own globals: SOP expressions get none of them (a list or dict literal, or a
filter, does each one's job without unbounded work)."""


@lru_cache(maxsize=1)
def _environment() -> BoundedEnvironment:
    from bot.procedure.sandbox import BoundedEnvironment

    return BoundedEnvironment()


# The sandbox's filter and test names, written out so that checking an SOP does not import
# Jinja (a third of ``sopbot validate``'s start-up); a test keeps them equal to the sandbox's.
_FILTERS = frozenset(
    (  # noqa: SIM905 - a word list reads better than one name per line
        "abs attr batch capitalize center count d default dictsort e escape filesizeformat "
        "first float forceescape format groupby indent int items join last length list lower "
        "map max min pprint random reject rejectattr replace reverse round safe select "
        "selectattr slice sort string striptags sum title tojson trim truncate unique upper "
        "urlencode urlize wordcount wordwrap xmlattr"
    ).split()
)
_TESTS = frozenset(
    (  # noqa: SIM905
        "!= < <= == > >= boolean callable defined divisibleby eq equalto escaped even false "
        "filter float ge greaterthan gt in integer iterable le lessthan lower lt mapping ne "
        "none number odd sameas sequence string test true undefined upper"
    ).split()
)


def known_filters() -> frozenset[str]:
    """Every filter name the sandbox offers."""
    return _FILTERS


def known_tests() -> frozenset[str]:
    """Every test name (``x is defined``) the sandbox offers."""
    return _TESTS


def is_template(value: object) -> bool:
    """True when a string contains an expression to render."""
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _as_template_source(text: str, *, condition: bool) -> str:
    return "{{ " + text + " }}" if condition else text


def check_syntax(text: str, *, condition: bool) -> None:
    """Raise ExpressionError when the condition or template does not parse."""
    analyse(text, condition=condition)


def references(text: str, *, condition: bool) -> tuple[Reference, ...]:
    """Every free name the expression reads, with its constant attribute path."""
    return analyse(text, condition=condition).references


@lru_cache(maxsize=65_536)
def _analyse(text: str, condition: bool) -> Analysis:
    fast = _fast_condition(text) if condition else _fast_template(text)
    if fast is not None:
        return fast
    return _jinja_analysis(_parse(_as_template_source(text, condition=condition)))


def analyse(text: str, *, condition: bool) -> Analysis:
    """References, filters and tests of a condition or template; ExpressionError when it
    does not parse. Results are cached by text."""
    return _analyse(text, condition)


_SEGMENT = re.compile(r"\{[{%](.*?)[}%]\}", re.DOTALL)
_NUMBER = re.compile(r"(?<![\w.])\d")
_SIZING = re.compile(r"[*%(]")
_CONSTANT_OPERAND = re.compile(  # a literal, a closing bracket or a constant name, then an
    # operator, a filter, an attribute or a subscript applied to it
    r"""(?:(?<![\w.])\d[\w.]*|['")\]}]|(?<![\w.])(?:true|false|none|True|False|None)(?!\w))"""
    r"\s*[*%|.\[(]"
)


def _may_exceed(body: str) -> bool:
    """Only a number written next to ``*``, ``**``, ``%`` or a call can make a constant
    that is over the limits, and only where an operation starts from a constant (the
    folder gives up on anything computed from a name, such as ``limit * 2``); every other
    expression is not parsed again."""
    return bool(_SIZING.search(body) and _NUMBER.search(body) and _CONSTANT_OPERAND.search(body))


def limit_problems(text: str, *, condition: bool) -> tuple[str, ...]:
    """Why the constant parts of a condition or template are sure to exceed the evaluation
    limits (``9 ** (9 ** 9)``); empty when nothing can be told before it runs."""
    bodies = [text] if condition else _SEGMENT.findall(text)
    if not any(map(_may_exceed, bodies)):
        return ()
    return _limit_problems(_as_template_source(text, condition=condition))


@lru_cache(maxsize=4_096)
def _limit_problems(source: str) -> tuple[str, ...]:
    from bot.procedure.sandbox import constant_problems

    return tuple(constant_problems(_parse(source), _environment()))


# --- Jinja's own parser: the authority, used for whatever the recogniser declines ---------


@lru_cache(maxsize=16_384)
def _parse(source: str) -> nodes.Template:
    from jinja2 import TemplateSyntaxError

    try:
        return _environment().parse(source)
    except TemplateSyntaxError as error:
        raise ExpressionError(f"syntax error: {error.message}") from None


def _jinja_analysis(tree: nodes.Template) -> Analysis:
    from jinja2 import nodes

    bound = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    found: list[Reference] = []
    _collect(tree, bound, found)
    return Analysis(
        tuple(dict.fromkeys(found)),
        frozenset(node.name for node in tree.find_all(nodes.Filter)),
        frozenset(node.name for node in tree.find_all(nodes.Test)),
        frozenset(_private_attributes(tree)),
    )


# Filters that read the attribute named by their first argument, or by ``attribute=``.
_ATTRIBUTE_FILTERS = frozenset(("attr", "selectattr", "rejectattr", "groupby", "sum"))


def _private_attributes(tree: nodes.Template) -> Iterator[str]:
    """Every attribute name starting with ``_`` that the tree reads: ``x.__class__``,
    ``x['_y']``, ``x | attr('__dict__')``, ``xs | map(attribute='a._b')``."""
    from jinja2 import nodes

    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        names: list[nodes.Expr] = []
        if isinstance(node, nodes.Getattr):
            names.append(nodes.Const(node.attr))
        elif isinstance(node, nodes.Getitem):
            names.append(node.arg)
        elif isinstance(node, nodes.Filter):
            names.extend(keyword.value for keyword in node.kwargs if keyword.key == "attribute")
            if node.name in _ATTRIBUTE_FILTERS and node.args:
                names.append(node.args[0])
        for name in names:
            if isinstance(name, nodes.Const) and isinstance(name.value, str):
                yield from (part for part in name.value.split(".") if part.startswith("_"))


def _collect(node: nodes.Node, bound: set[str], found: list[Reference]) -> None:
    chain = _attribute_chain(node)
    if chain is not None:
        root, path = chain
        if root not in bound:
            found.append(Reference(root, path))
        return
    for child in node.iter_child_nodes():
        _collect(child, bound, found)


def _attribute_chain(node: nodes.Node) -> tuple[str, tuple[str, ...]] | None:
    """``a.b['c']`` → ('a', ('b', 'c')); None when the node is not such a chain."""
    from jinja2 import nodes

    path: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            path.append(node.attr)
            node = node.node
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
        ):
            path.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name) and node.ctx == "load":
            return node.name, tuple(reversed(path))
        else:
            return None


# --- The fast recogniser for the common subset ---------------------------------------------

# Whole tokens of the subset; any other character becomes a one-character token that no
# grammar rule accepts, so the recogniser declines the text.
_TOKEN = re.compile(
    r"""[0-9]+\.[0-9]+|0(?![0-9])|[1-9][0-9]*|[A-Za-z_][A-Za-z0-9_]*|'[^'\\]*'|"[^"\\]*"|"""
    r"==|!=|<=|>=|//|\*\*|\S"
)
_BINARY_OPERATORS = frozenset(
    ("==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "//", "%", "**", "~", "and", "or", "in")
)
_CONSTANTS = frozenset(("true", "false", "none", "True", "False", "None"))
_KEYWORDS = frozenset(("and", "or", "not", "in", "is", "if", "else"))
_END = ""  # the token after the last one


class _Declined(Exception):
    """The recogniser does not handle this text; Jinja's parser decides."""


def _is_name(token: str) -> bool:
    first = token[:1]
    return first == "_" or (first.isascii() and first.isalpha())


def _is_literal(token: str) -> bool:
    first = token[:1]
    return (first.isascii() and first.isdigit()) or (first in ("'", '"') and len(token) > 1)


class _Recogniser:
    """A recursive-descent reader of the subset that mirrors Jinja's grammar, and lists
    references in the order Jinja's tree gives them."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.at = 0
        self.references: list[Reference] = []
        self.filters: set[str] = set()
        self.tests: set[str] = set()
        self.private: set[str] = set()

    def read(self, body: str) -> None:
        """One ``{{ }}`` body: an expression, or a tuple of them."""
        self.tokens = [*_TOKEN.findall(body), _END, _END]
        self.at = 0
        self.expression()
        while self.tokens[self.at] == ",":
            self.at += 1
            if self.tokens[self.at] == _END:
                break
            self.expression()
        if self.tokens[self.at] != _END:
            raise _Declined

    def expression(self) -> None:
        """A full expression, with ``x if test else y``; Jinja's tree lists the test first."""
        start = len(self.references)
        self.operation()
        while self.tokens[self.at] == "if":
            self.at += 1
            middle = len(self.references)
            self.operation()
            self.references[start:] = self.references[middle:] + self.references[start:middle]
            if self.tokens[self.at] == "else":
                self.at += 1
                self.expression()

    def operation(self) -> None:
        """Operands joined by binary operators, with ``not`` where Jinja allows it."""
        negation_allowed = True
        tokens = self.tokens
        while True:
            while negation_allowed and tokens[self.at] == "not":
                self.at += 1
            self.operand()
            token = tokens[self.at]
            if token in _BINARY_OPERATORS:
                self.at += 1
            elif token == "not" and tokens[self.at + 1] == "in":
                self.at += 2
            else:
                return
            negation_allowed = token in ("and", "or")

    def operand(self) -> None:
        tokens = self.tokens
        while tokens[self.at] in ("-", "+"):
            self.at += 1
        self.primary()
        while True:
            token = tokens[self.at]
            if token == "|":
                self.at += 1
                name = self.name()
                self.filters.add(name)
                if tokens[self.at] == "(":
                    start = self.at
                    self.call_arguments()
                    if any("_" in token for token in tokens[start : self.at] if _is_literal(token)):
                        raise _Declined  # perhaps a private attribute: Jinja's tree tells
            elif token == "is":
                self.at += 1
                if tokens[self.at] == "not":
                    self.at += 1
                self.tests.add(self.name())
                following = tokens[self.at]
                if following == "(":
                    self.call_arguments()
                elif following not in ("and", "or") and (
                    _is_name(following) or _is_literal(following)
                ):
                    raise _Declined  # Jinja reads a bare test argument here
            else:
                break
        if tokens[self.at] in ("(", "."):
            raise _Declined  # a call on a filter's result, or a dotted filter name

    def name(self) -> str:
        token = self.tokens[self.at]
        if not _is_name(token):
            raise _Declined
        self.at += 1
        return token

    def primary(self) -> None:
        token = self.tokens[self.at]
        self.at += 1
        if _is_name(token):
            if token in _KEYWORDS:
                raise _Declined
            self.postfix(None if token in _CONSTANTS else [token])
        elif _is_literal(token):
            self.postfix(None)
        elif token == "(":
            self.sequence(")")
            if self.tokens[self.at] in (".", "[", "("):
                raise _Declined  # Jinja unwraps ``(a).b`` into the chain ``a.b``
        elif token == "[":
            self.sequence("]")
            self.postfix(None)
        elif token == "{":
            self.dictionary()
            self.postfix(None)
        else:
            raise _Declined

    def dictionary(self) -> None:
        """``key: value`` pairs, after the opening brace."""

        def pair() -> None:
            self.expression()
            self.expect(":")
            self.expression()

        self.separated("}", pair)

    def sequence(self, closer: str) -> None:
        """Items of a parenthesised tuple or a list, after the opener."""
        self.separated(closer, self.expression)

    def separated(self, closer: str, item: Callable[[], None]) -> None:
        """Comma-separated items up to ``closer`` (a trailing comma allowed), then past it."""
        first = True
        while self.tokens[self.at] != closer:
            if not first:
                self.expect(",")
                if self.tokens[self.at] == closer:
                    break
            first = False
            item()
        self.at += 1

    def expect(self, token: str) -> None:
        if self.tokens[self.at] != token:
            raise _Declined
        self.at += 1

    def postfix(self, chain: list[str] | None) -> None:
        """Attribute access, constant subscripts, subscripts and calls after a primary."""
        tokens = self.tokens
        while True:
            token = tokens[self.at]
            if token == ".":
                self.at += 1
                attribute = self.name()
                if attribute.startswith("_"):
                    self.private.add(attribute)
                if chain is not None:
                    chain.append(attribute)
            elif token == "[":
                self.at += 1
                key = tokens[self.at]
                if key[:1] in ("'", '"') and tokens[self.at + 1] == "]":
                    if len(key) < 2:
                        raise _Declined
                    if key[1:2] == "_":
                        self.private.add(key[1:-1])
                    if chain is not None:
                        chain.append(key[1:-1])
                        self.at += 2
                        continue
                self.close_chain(chain)
                chain = None
                self.expression()
                self.expect("]")
            elif token == "(":
                self.close_chain(chain)
                chain = None
                self.call_arguments()
            else:
                break
        self.close_chain(chain)

    def close_chain(self, chain: list[str] | None) -> None:
        if chain is not None:
            self.references.append(Reference(chain[0], tuple(chain[1:])))

    def call_arguments(self) -> None:
        """``(positional, ..., keyword=value, ...)``."""
        keywords_seen = False

        def argument() -> None:
            nonlocal keywords_seen
            if self.tokens[self.at + 1] == "=" and _is_name(self.tokens[self.at]):
                self.at += 2
                keywords_seen = True
            elif keywords_seen:
                raise _Declined  # Jinja refuses a positional argument after a keyword
            self.expression()

        self.expect("(")
        self.separated(")", argument)

    def analysis(self) -> Analysis:
        return Analysis(
            tuple(dict.fromkeys(self.references)),
            frozenset(self.filters),
            frozenset(self.tests),
            frozenset(self.private),
        )


_CHAIN = r"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
_WHOLE_CHAIN = re.compile(r"\s*" + _CHAIN + r"\s*")
_CHAIN_TEMPLATE_PART = re.compile(r"\{\{[-+]?\s*" + _CHAIN + r"\s*-?\}\}")


def _chain_reference(chain: str) -> Reference | None:
    """``order.total`` → Reference; None for a keyword, a constant or a private attribute."""
    root, *path = chain.split(".")
    if root in _KEYWORDS or root in _CONSTANTS or "._" in chain:
        return None  # Jinja, or the recogniser (which notes private attributes), decides
    return Reference(root, tuple(path))


def _chain_template(text: str) -> Analysis | None:
    """The cheapest common case: every ``{{ }}`` of a template holds a plain name chain."""
    chains = _CHAIN_TEMPLATE_PART.findall(text)
    if not chains or len(chains) != text.count("{{") or "{{{" in text:
        return None
    found: list[Reference] = []
    for chain in chains:
        reference = _chain_reference(chain)
        if reference is None:
            return None
        found.append(reference)
    return Analysis(tuple(dict.fromkeys(found)), frozenset(), frozenset())


def _fast_condition(text: str) -> Analysis | None:
    whole = _WHOLE_CHAIN.fullmatch(text)
    reference = _chain_reference(whole.group(1)) if whole else None
    if reference is not None:
        return Analysis((reference,), frozenset(), frozenset())
    recogniser = _Recogniser()
    try:
        recogniser.read(text)
    except _Declined:
        return None
    return recogniser.analysis()


def _fast_template(text: str) -> Analysis | None:
    if "{%" in text or "{#" in text:
        return None
    simple = _chain_template(text)
    if simple is not None:
        return simple
    recogniser = _Recogniser()
    start = text.find("{{")
    try:
        while start >= 0:
            end = text.find("}}", start + 2)
            if end < 0:
                return None
            body = text[start + 2 : end]
            if body[:1] in ("-", "+"):
                body = body[1:]  # whitespace control, not a sign
            if body[-1:] == "-":
                body = body[:-1]
            recogniser.read(body)
            start = text.find("{{", end + 2)
    except _Declined:
        return None
    return recogniser.analysis()


# --- Evaluation -----------------------------------------------------------------------------


@lru_cache(maxsize=4_096)
def _compiled_expression(source: str) -> Callable[..., Any]:
    from jinja2 import TemplateSyntaxError

    try:
        return _environment().compile_expression(source, undefined_to_none=False)
    except TemplateSyntaxError as error:
        raise ExpressionError(f"syntax error in '{source}': {error.message}") from None


@lru_cache(maxsize=4_096)
def _compiled_template(source: str) -> Any:
    from jinja2 import TemplateSyntaxError

    try:
        return _environment().from_string(source)
    except TemplateSyntaxError as error:
        raise ExpressionError(f"syntax error in '{source}': {error.message}") from None


def _call(
    function: Callable[[], Any], source: str, context: Mapping[str, Any], *, condition: bool
) -> Any:
    """Run ``function`` within the evaluation budget; every failure is an ExpressionError
    that says what went wrong in the procedure's terms."""
    from jinja2 import Undefined

    try:
        with limits.budget():
            value = function()
        if isinstance(value, Undefined):
            value._fail_with_undefined_error()  # a missing name is an error, never a value
        return value
    except ExpressionError:
        raise
    except Exception as error:  # a limit, a sandbox violation, a missing name, a type error
        problem = explain(
            error,
            source,
            context,
            lambda: [(ref.root, ref.path) for ref in references(source, condition=condition)],
        )
        raise ExpressionError(problem) from None


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    """The value of a brace-less expression."""
    compiled = _compiled_expression(expression)
    return _call(lambda: compiled(**context), expression, context, condition=True)


def test(condition: str, context: Mapping[str, Any]) -> bool:
    """A condition's truth."""
    return bool(evaluate(condition, context))


def render(value: Any, context: Mapping[str, Any]) -> Any:
    """Render templates inside a value (strings, lists, dicts); other values pass through.

    A string that is one whole ``{{ expression }}`` keeps the expression's type, so
    ``amount: "{{ order.total }}"`` stays a number. All the templates of one value share
    one evaluation budget.
    """
    with limits.budget():
        return _render(value, context)


def _render(value: Any, context: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        if not is_template(value):
            return value
        whole = _WHOLE_EXPRESSION.match(value)
        if whole:
            return evaluate(whole.group("body"), context)
        template = _compiled_template(value)
        return _call(lambda: template.render(**context), value, context, condition=False)
    if isinstance(value, list):
        return [_render(item, context) for item in value]
    if isinstance(value, dict):
        return {key: _render(item, context) for key, item in value.items()}
    return value


def located_templates(
    value: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every template string nested inside a value, with the keys and indexes leading to it."""
    if isinstance(value, str):
        if is_template(value):
            yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from located_templates(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from located_templates(item, (*path, str(key)))


def template_strings(value: Any) -> list[str]:
    """Every template string nested inside a value, for static checks."""
    return [text for _, text in located_templates(value)]
