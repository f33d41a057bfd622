"""The sandboxed expression language of conditions and templates.

Conditions are Jinja expressions without braces (``inputs.amount > 500``); templates are
text with ``{{ expressions }}``. Evaluation uses Jinja's ``SandboxedEnvironment`` with
strict undefined: no side effects, no attribute tricks, and a missing name is an error,
never an empty string. ``references`` lists every name an expression reads, so the
validator can resolve them before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

_WHOLE_EXPRESSION = re.compile(r"^\s*\{\{(?P<body>(?:(?!\{\{|\}\}).)*)\}\}\s*$", re.DOTALL)
_ENVIRONMENT = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


class ExpressionError(Exception):
    """An expression that cannot be parsed or evaluated; the message says why."""


@dataclass(frozen=True)
class Reference:
    """A name an expression reads, with the attribute path after it: ``order.total``."""

    root: str
    path: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join((self.root, *self.path))


def is_template(value: object) -> bool:
    """True when a string contains an expression to render."""
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _as_template_source(text: str, *, condition: bool) -> str:
    return "{{ " + text + " }}" if condition else text


@lru_cache(maxsize=16_384)
def _parse(source: str) -> nodes.Template:
    try:
        return _ENVIRONMENT.parse(source)
    except TemplateSyntaxError as error:
        raise ExpressionError(f"syntax error: {error.message}") from None


def check_syntax(text: str, *, condition: bool) -> None:
    """Raise ExpressionError when the condition or template does not parse."""
    _parse(_as_template_source(text, condition=condition))


def references(text: str, *, condition: bool) -> tuple[Reference, ...]:
    """Every free name the expression reads, with its constant attribute path."""
    tree = _parse(_as_template_source(text, condition=condition))
    bound = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    found: list[Reference] = []
    _collect(tree, bound, found)
    return tuple(dict.fromkeys(found))


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


@lru_cache(maxsize=4_096)
def _compiled_expression(source: str) -> Callable[..., Any]:
    try:
        return _ENVIRONMENT.compile_expression(source, undefined_to_none=False)
    except TemplateSyntaxError as error:
        raise ExpressionError(f"syntax error in '{source}': {error.message}") from None


@lru_cache(maxsize=4_096)
def _compiled_template(source: str) -> Any:
    try:
        return _ENVIRONMENT.from_string(source)
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
