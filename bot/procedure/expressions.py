"""The sandboxed expression language of conditions and templates.

Conditions are Jinja expressions without braces (``inputs.amount > 500``); templates are
text with ``{{ expressions }}``. Evaluation uses Jinja's ``SandboxedEnvironment`` with
strict undefined: no side effects, no attribute tricks, and a missing name is an error,
never an empty string. ``references`` lists every name an expression reads, so the
validator can resolve them before anything runs.

Jinja's parser costs a few hundred microseconds per expression, too slow for validating a
thousand procedures at once, so static analysis first tries a small recogniser for the
common subset of the language (names, attribute and constant-subscript chains, literals,
lists, tuples, calls, operators, filters and tests). It accepts only text that Jinja
parses to the same tree shape and hands anything else to Jinja, which stays the authority
on syntax errors. Jinja itself is imported on first need, which keeps ``sopbot validate``
quick to start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import nodes
    from jinja2.sandbox import ImmutableSandboxedEnvironment

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
    """What an expression reads (in reading order), and the filters and tests it applies."""

    references: tuple[Reference, ...]
    filters: frozenset[str]
    tests: frozenset[str]


@lru_cache(maxsize=1)
def _environment() -> ImmutableSandboxedEnvironment:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def known_filters() -> frozenset[str]:
    """Every filter name the sandbox offers."""
    return frozenset(_environment().filters)


def known_tests() -> frozenset[str]:
    """Every test name (``x is defined``) the sandbox offers."""
    return frozenset(_environment().tests)


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
    )


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

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<end>-?\}\})
      | (?P<float>\d+\.\d+)
      | (?P<int>0(?![0-9])|[1-9][0-9]*)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<str>'[^'\\]*'|"[^"\\]*")
      | (?P<op>==|!=|<=|>=|//|\*\*|[-+*/%~|.,()\[\]<>=])
    )""",
    re.VERBOSE,
)
_BINARY_OPERATORS = frozenset(("==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "//"))
_BINARY_OPERATORS |= {"%", "**", "~"}
_CONSTANTS = frozenset(("true", "false", "none", "True", "False", "None"))
_KEYWORDS = frozenset(("and", "or", "not", "in", "is", "if", "else"))
_TEST_ARGUMENT_STARTS = frozenset(("name", "str", "int", "float"))
_END = ("end", "")

Token = tuple[str, str]


class _Declined(Exception):
    """The recogniser does not handle this text; Jinja's parser decides."""


def _tokens(text: str, start: int, *, until_end: bool) -> tuple[list[Token], int]:
    """Tokens from ``start`` up to the end of the text, or up to and past ``}}``."""
    found: list[Token] = []
    position = start
    while True:
        match = _TOKEN.match(text, position)
        if match is None:
            if until_end or text[position:].strip():
                raise _Declined
            return found, len(text)
        kind = match.lastgroup
        assert kind is not None
        position = match.end()
        if kind == "end":
            if not until_end:
                raise _Declined
            return found, position
        found.append((kind, match.group(kind)))


class _Recogniser:
    """A recursive-descent reader of the subset, mirroring Jinja's grammar and the order in
    which Jinja's tree lists references."""

    def __init__(self) -> None:
        self.tokens: list[Token] = []
        self.position = 0
        self.references: list[Reference] = []
        self.filters: list[str] = []
        self.tests: list[str] = []

    def read(self, tokens: list[Token]) -> None:
        """One ``{{ }}`` body: an expression, or a tuple of them."""
        self.tokens = tokens
        self.position = 0
        self.expression()
        while self.peek() == ("op", ","):
            self.position += 1
            if self.peek() is _END:
                break
            self.expression()
        if self.peek() is not _END:
            raise _Declined

    def peek(self, offset: int = 0) -> Token:
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else _END

    def take(self, token: Token) -> None:
        if self.peek() != token:
            raise _Declined
        self.position += 1

    def expression(self) -> None:
        negation_allowed = True
        while True:
            if negation_allowed:
                while self.peek() == ("name", "not"):
                    self.position += 1
            self.operand()
            operator = self.binary_operator()
            if operator is None:
                return
            negation_allowed = operator in ("and", "or")

    def binary_operator(self) -> str | None:
        kind, value = self.peek()
        if (kind == "op" and value in _BINARY_OPERATORS) or (
            kind == "name" and value in ("and", "or", "in")
        ):
            self.position += 1
            return value
        if (kind, value) == ("name", "not") and self.peek(1) == ("name", "in"):
            self.position += 2
            return "not in"
        return None

    def operand(self) -> None:
        while self.peek() in (("op", "-"), ("op", "+")):
            self.position += 1
        self.primary()
        while True:
            token = self.peek()
            if token == ("op", "|"):
                self.position += 1
                self.filters.append(self.name())
                if self.peek() == ("op", "("):
                    self.call_arguments()
            elif token == ("name", "is"):
                self.position += 1
                if self.peek() == ("name", "not"):
                    self.position += 1
                self.tests.append(self.name())
                following = self.peek()
                if following == ("op", "("):
                    self.call_arguments()
                elif following[0] in _TEST_ARGUMENT_STARTS and following[1] not in ("and", "or"):
                    raise _Declined  # Jinja reads a bare test argument here
            else:
                break
        if self.peek() in (("op", "("), ("op", ".")):
            raise _Declined  # a call on a filter's result, or a dotted filter name

    def name(self) -> str:
        kind, value = self.peek()
        if kind != "name":
            raise _Declined
        self.position += 1
        return value

    def primary(self) -> None:
        kind, value = self.peek()
        self.position += 1
        if kind == "name":
            if value in _KEYWORDS:
                raise _Declined
            self.postfix(None if value in _CONSTANTS else [value])
        elif kind in ("str", "int", "float"):
            self.postfix(None)
        elif (kind, value) == ("op", "("):
            self.sequence(")")
            if self.peek() in (("op", "."), ("op", "["), ("op", "(")):
                raise _Declined  # Jinja unwraps ``(a).b`` into the chain ``a.b``
        elif (kind, value) == ("op", "["):
            self.sequence("]")
            self.postfix(None)
        else:
            raise _Declined

    def sequence(self, closer: str) -> None:
        """Items of a parenthesised tuple or a list, after the opener."""
        first = True
        while self.peek() != ("op", closer):
            if not first:
                self.take(("op", ","))
                if self.peek() == ("op", closer):
                    break
            first = False
            self.expression()
        self.position += 1

    def postfix(self, chain: list[str] | None) -> None:
        """Attribute access, constant subscripts, subscripts and calls after a primary."""
        while True:
            token = self.peek()
            if token == ("op", "."):
                self.position += 1
                attribute = self.name()
                if chain is not None:
                    chain.append(attribute)
            elif token == ("op", "["):
                self.position += 1
                key_kind, key = self.peek()
                if chain is not None and key_kind == "str" and self.peek(1) == ("op", "]"):
                    chain.append(key[1:-1])
                    self.position += 2
                    continue
                chain = self.close_chain(chain)
                self.expression()
                self.take(("op", "]"))
            elif token == ("op", "("):
                chain = self.close_chain(chain)
                self.call_arguments()
            else:
                break
        self.close_chain(chain)

    def close_chain(self, chain: list[str] | None) -> None:
        if chain is not None:
            self.references.append(Reference(chain[0], tuple(chain[1:])))

    def call_arguments(self) -> None:
        self.take(("op", "("))
        keywords_seen = False
        first = True
        while self.peek() != ("op", ")"):
            if not first:
                self.take(("op", ","))
                if self.peek() == ("op", ")"):
                    break
            first = False
            if self.peek()[0] == "name" and self.peek(1) == ("op", "="):
                self.position += 2
                keywords_seen = True
            elif keywords_seen:
                raise _Declined  # Jinja refuses a positional argument after a keyword
            self.expression()
        self.position += 1

    def analysis(self) -> Analysis:
        return Analysis(
            tuple(dict.fromkeys(self.references)),
            frozenset(self.filters),
            frozenset(self.tests),
        )


def _fast_condition(text: str) -> Analysis | None:
    try:
        tokens, _ = _tokens(text, 0, until_end=False)
        recogniser = _Recogniser()
        recogniser.read(tokens)
    except _Declined:
        return None
    return recogniser.analysis()


def _fast_template(text: str) -> Analysis | None:
    if "{%" in text or "{#" in text:
        return None
    recogniser = _Recogniser()
    position = text.find("{{")
    try:
        while position >= 0:
            position += 2
            if text.startswith(("-", "+"), position):
                position += 1  # whitespace control, not a sign
            tokens, position = _tokens(text, position, until_end=True)
            recogniser.read(tokens)
            position = text.find("{{", position)
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


def _call(function: Callable[[], Any], source: str) -> Any:
    try:
        return function()
    except ExpressionError:
        raise
    except Exception as error:  # a sandbox violation, a missing name, a type error
        raise ExpressionError(f"cannot evaluate '{source}': {error}") from None


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    """The value of a brace-less expression."""
    compiled = _compiled_expression(expression)
    return _call(lambda: compiled(**context), expression)


def test(condition: str, context: Mapping[str, Any]) -> bool:
    """A condition's truth."""
    return bool(evaluate(condition, context))


def render(value: Any, context: Mapping[str, Any]) -> Any:
    """Render templates inside a value (strings, lists, dicts); other values pass through.

    A string that is one whole ``{{ expression }}`` keeps the expression's type, so
    ``amount: "{{ order.total }}"`` stays a number.
    """
    if isinstance(value, str):
        if not is_template(value):
            return value
        whole = _WHOLE_EXPRESSION.match(value)
        if whole:
            return evaluate(whole.group("body"), context)
        template = _compiled_template(value)
        return _call(lambda: template.render(**context), value)
    if isinstance(value, list):
        return [render(item, context) for item in value]
    if isinstance(value, dict):
        return {key: render(item, context) for key, item in value.items()}
    return value


def template_strings(value: Any) -> list[str]:
    """Every template string nested inside a value, for static checks."""
    if isinstance(value, str):
        return [value] if is_template(value) else []
    if isinstance(value, list):
        return [text for item in value for text in template_strings(item)]
    if isinstance(value, dict):
        return [text for item in value.values() for text in template_strings(item)]
    return []
