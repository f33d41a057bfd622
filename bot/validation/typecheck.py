"""SOP206 (deeper fields), SOP231 and SOP232: expressions read what the values really are.

A field read two levels down (``order.shipping.adress``) is checked against the result
model all the way; a comparison or arithmetic whose two sides cannot work together (text
against a number, a date against a number) is a warning naming both types; a literal
compared with a choice (an input of type choice, or a result field typed as a Literal)
must be one of its choices. Types come from inputs, result models, task fields and simple
``set`` values; anything not known stays silent.

Expressions are read by a small typed reader of the common subset of the language (names,
fields, literals, lists, operators, filters, tests). It declines anything else, and a
declined expression is not judged: Jinja's parser would cost more than every other rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from bot.procedure.expressions import ExpressionError, analyse, is_template
from bot.validation.context import SopContext, did_you_mean
from bot.validation.shapes import (
    BOOLEAN,
    DATE,
    DATETIME,
    LIST,
    NUMBER,
    TEXT,
    Shape,
    fields_shape,
    input_shape,
    model_shape,
)
from bot.validation.sites import ExpressionSite, SavedName

_DICT_METHODS = frozenset(("get", "items", "keys", "values"))
_RUN_FIELDS: dict[str, Shape | None] = {
    "id": TEXT,
    "sop_id": TEXT,
    "started_by": TEXT,
    "started_at": DATETIME,
    "mode": TEXT,
}
_FILTER_RESULTS: dict[str, Shape] = {
    **dict.fromkeys(("int", "float", "round", "abs", "length", "count", "sum"), NUMBER),
    **dict.fromkeys(
        [
            "lower",
            "upper",
            "title",
            "capitalize",
            "trim",
            "string",
            "replace",
            "join",
            "format",
            "truncate",
            "striptags",
            "e",
            "escape",
            "tojson",
            "urlencode",
            "center",
            "indent",
            "wordwrap",
        ],
        TEXT,
    ),
    "list": LIST,
}
_TOKEN = re.compile(
    r"""\s*([0-9]+\.[0-9]+|[0-9]+|[A-Za-z_][A-Za-z0-9_]*|'[^'\\]*'|"[^"\\]*"|"""
    r"""==|!=|<=|>=|//|\*\*|\S)"""
)
_SEGMENT = re.compile(r"\{\{-?(.*?)-?\}\}", re.DOTALL)
_ORDERED = frozenset(("number", "text", "date", "datetime"))
_JUDGED = re.compile(r"[=<>+\-*/%]|\bin\b")
"""Only expressions with a comparison or arithmetic can hold what these rules judge."""


class _Declined(Exception):
    """Outside the subset the reader handles: the expression is not judged."""


@dataclass(frozen=True)
class Value:
    """What the reader knows of a subexpression: its shape (None: unknown), how to name
    it in a message, and its literal value when it is one (or a list of them)."""

    shape: Shape | None
    label: str
    literal: object = None
    items: tuple[object, ...] | None = None


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    needle: str | None


class _Shapes:
    """The shapes of a procedure's names: inputs, saved results, task answers, set values."""

    def __init__(self, context: SopContext) -> None:
        self.context = context
        self.inputs = {name: input_shape(spec) for name, spec in context.procedure.inputs.items()}
        self._saved: dict[str, Shape | None] = {}
        self._computing: set[str] = set()

    def root(self, name: str) -> Shape | None:
        if name == "inputs":
            return Shape("object", dict(self.inputs), (), "the inputs")
        if name == "run":
            return Shape("object", dict(_RUN_FIELDS), (), "run")
        if name == "today":
            return DATE
        if name == "now":
            return DATETIME
        return self.saved(name)

    def saved(self, name: str) -> Shape | None:
        if name in self._saved:
            return self._saved[name]
        if name in self._computing:
            return None  # a value computed from itself: not known
        self._computing.add(name)
        shapes = [
            self._definition(saved) for saved in self.context.sites.saved if saved.name == name
        ]
        self._computing.discard(name)
        shape = shapes[0] if shapes and all(s == shapes[0] for s in shapes) else None
        self._saved[name] = shape
        return shape

    def _definition(self, saved: SavedName) -> Shape | None:
        if saved.operation is not None:
            operation = self.context.catalogue.get(saved.operation)
            if operation is None:
                return None
            return model_shape(operation.result, f"{operation.name}'s result")
        if saved.fields is not None and saved.step is not None:
            step = self.context.procedure.steps[saved.step]
            task = getattr(step, "task", None)
            return fields_shape(task.fields, "the task's fields") if task is not None else None
        if len(saved.path) >= 2 and saved.path[-2] == "set" and saved.step is not None:
            step = self.context.procedure.steps[saved.step]
            return self._set_value(getattr(step, "set", {}).get(saved.name))
        return None

    def _set_value(self, value: object) -> Shape | None:
        if isinstance(value, bool):
            return BOOLEAN
        if isinstance(value, int | float):
            return NUMBER
        if isinstance(value, str):
            if not is_template(value):
                return TEXT
            whole = _SEGMENT.fullmatch(value.strip())
            if whole is None:
                return TEXT if "{%" not in value else None
            try:
                return _Reader(whole.group(1), self, []).read().shape
            except _Declined:
                return None
        return None


def _field(shape: Shape | None, name: str) -> Shape | None:
    if shape is None or shape.kind != "object":
        return None
    return shape.fields.get(name)


class _Reader:
    """A recursive-descent reader of one expression that mirrors Jinja's precedence and
    works out each part's shape, noting the comparisons and sums that cannot work."""

    def __init__(self, text: str, shapes: _Shapes, findings: list[Finding]) -> None:
        self.tokens: list[str] = [*_TOKEN.findall(text), "", ""]
        if any(not token for token in self.tokens[:-2]):
            raise _Declined
        self.at = 0
        self.shapes = shapes
        self.findings = findings

    def read(self) -> Value:
        value = self.expression()
        if self.tokens[self.at] != "":
            raise _Declined
        return value

    def peek(self) -> str:
        return self.tokens[self.at]

    def take(self) -> str:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def expression(self) -> Value:
        value = self.either()
        if self.peek() == "if":
            self.take()
            self.either()
            other = Value(None, "")
            if self.peek() == "else":
                self.take()
                other = self.expression()
            return value if value.shape == other.shape else Value(None, "the expression")
        return value

    def either(self) -> Value:
        value = self.both()
        while self.peek() == "or":
            self.take()
            self.both()
            value = Value(None, "the expression")
        return value

    def both(self) -> Value:
        value = self.negation()
        while self.peek() == "and":
            self.take()
            self.negation()
            value = Value(None, "the expression")
        return value

    def negation(self) -> Value:
        if self.peek() == "not":
            self.take()
            self.negation()
            return Value(BOOLEAN, "the expression")
        return self.comparison()

    def comparison(self) -> Value:
        left = self.sum()
        result = left
        while True:
            token = self.peek()
            if token in ("==", "!=", "<", "<=", ">", ">=", "in"):
                self.take()
            elif token == "not" and self.tokens[self.at + 1] == "in":
                self.at += 2
                token = "in"
            else:
                return result
            right = self.sum()
            self.compare(token, left, right)
            left, result = right, Value(BOOLEAN, "the comparison")

    def sum(self) -> Value:
        left = self.concatenation()
        while self.peek() in ("+", "-"):
            operator = self.take()
            left = self.arithmetic(operator, left, self.concatenation())
        return left

    def concatenation(self) -> Value:
        left = self.product()
        while self.peek() == "~":
            self.take()
            self.product()
            left = Value(TEXT, "the text")
        return left

    def product(self) -> Value:
        left = self.power()
        while self.peek() in ("*", "/", "//", "%"):
            operator = self.take()
            left = self.arithmetic(operator, left, self.power())
        return left

    def power(self) -> Value:
        left = self.unary()
        while self.peek() == "**":
            self.take()
            left = self.arithmetic("**", left, self.unary())
        return left

    def unary(self) -> Value:
        if self.peek() in ("-", "+"):
            operator = self.take()
            value = self.unary_operand()
            if value.shape is not None and value.shape.kind not in ("number", "boolean"):
                self.problem(
                    f"{operator}{value.label} cannot be computed: {value.label} is "
                    f"{value.shape.describe()}, not a number",
                    value.label,
                )
            return Value(NUMBER if value.shape is not None else None, value.label)
        return self.filters(self.postfix(self.primary()))

    def unary_operand(self) -> Value:
        if self.peek() in ("-", "+"):
            return self.unary()
        return self.postfix(self.primary())

    def primary(self) -> Value:
        token = self.take()
        first = token[:1]
        if first.isdigit():
            return Value(NUMBER, token, float(token) if "." in token else int(token))
        if first in ("'", '"'):
            return Value(TEXT, token, token[1:-1])
        if token in ("true", "True", "false", "False"):
            return Value(BOOLEAN, token, token.lower() == "true")
        if token in ("none", "None"):
            return Value(None, token)
        if token == "(":
            value = self.expression()
            if self.take() != ")":
                raise _Declined
            return value
        if token == "[":
            items: list[object] = []
            while self.peek() != "]":
                item = self.expression()
                items.append(item.literal)
                if self.peek() == ",":
                    self.take()
                elif self.peek() != "]":
                    raise _Declined
            self.take()
            return Value(LIST, "the list", None, tuple(items))
        if first == "_" or (first.isascii() and first.isalpha()):
            if token in ("and", "or", "not", "in", "is", "if", "else"):
                raise _Declined
            return self.reference(token)
        raise _Declined

    def reference(self, root: str) -> Value:
        """A name and its constant field chain: ``order.shipping.city``."""
        shape = self.shapes.root(root)
        label = root
        known = shape is not None
        while True:
            token = self.peek()
            if token == "." and self.tokens[self.at + 1][:1].isalpha():
                self.take()
                name = self.take()
            elif token == "[" and self.tokens[self.at + 1][:1] in ("'", '"'):
                if self.tokens[self.at + 2] != "]":
                    raise _Declined
                self.take()
                name = self.take()[1:-1]
                self.take()
            else:
                return Value(shape if known else None, label)
            if self.peek() == "(":
                known = False  # a method call: its result is not known
            label = f"{label}.{name}"
            shape = _field(shape, name)
            known = known and shape is not None

    def postfix(self, value: Value) -> Value:
        while self.peek() in ("(", "["):
            self.take()
            depth = 1
            while depth:  # arguments and subscripts are skipped, not judged
                token = self.take()
                if token == "":
                    raise _Declined
                depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(token, 0)
            value = Value(None, value.label)
        return value

    def filters(self, value: Value) -> Value:
        while self.peek() in ("|", "is"):
            if self.take() == "|":
                name = self.take()
                self.postfix(Value(None, ""))
                if name in ("default", "d"):
                    continue
                value = Value(_FILTER_RESULTS.get(name), f"{value.label} | {name}")
            else:
                if self.peek() == "not":
                    self.take()
                self.take()
                self.postfix(Value(None, ""))
                value = Value(BOOLEAN, "the test")
        return value

    # --- judging ------------------------------------------------------------------------

    def problem(self, message: str, needle: str | None, code: str = "SOP231") -> None:
        self.findings.append(Finding(code, message, needle))

    def compare(self, operator: str, left: Value, right: Value) -> None:
        if operator == "in":
            self.membership(left, right)
            return
        for one, other in ((left, right), (right, left)):
            self.choice(one, other.literal, other.label)
        a, b = left.shape, right.shape
        if a is None or b is None or _compatible(a, b, ordered=operator not in ("==", "!=")):
            return
        if operator in ("==", "!="):
            outcome = "they are never equal" if operator == "==" else "they always differ"
            self.problem(
                f"{left.label} ({a.describe()}) is compared with {right.label} "
                f"({b.describe()}): {outcome}",
                left.label,
            )
        else:
            self.problem(
                f"{left.label} ({a.describe()}) {operator} {right.label} ({b.describe()}) "
                "cannot be compared: the run would stop with an error here",
                left.label,
            )

    def membership(self, left: Value, right: Value) -> None:
        if right.items is not None:
            for item in right.items:
                self.choice(left, item, repr(item))
        elif (
            right.shape is not None
            and right.shape.kind == "text"
            and left.shape is not None
            and left.shape.kind != "text"
        ):
            self.problem(
                f"{left.label} ({left.shape.describe()}) cannot be looked for in "
                f"{right.label} (text): only text can be found in text",
                left.label,
            )

    def choice(self, value: Value, literal: object, label: str) -> None:
        shape = value.shape
        if shape is None or not shape.choices or not isinstance(literal, str):
            return
        if literal not in shape.choices:
            self.problem(
                f"'{literal}' is not a choice of {value.label} ("
                + ", ".join(shape.choices)
                + ")"
                + did_you_mean(literal, shape.choices),
                literal,
                "SOP232",
            )

    def arithmetic(self, operator: str, left: Value, right: Value) -> Value:
        a, b = left.shape, right.shape
        label = f"{left.label} {operator} {right.label}"
        if a is None or b is None:
            return Value(None, label)
        kinds = {a.kind, b.kind}
        if kinds <= {"number", "boolean"}:
            return Value(NUMBER, label)
        if operator == "+" and a.kind == b.kind and a.kind in ("text", "list"):
            return Value(a, label)
        if operator == "-" and a.kind == b.kind and a.kind in ("date", "datetime"):
            return Value(None, label)  # a duration
        if operator == "*" and kinds == {"text", "number"}:
            return Value(TEXT, label)
        if operator == "%" and a.kind == "text":
            return Value(TEXT, label)
        self.problem(
            f"{left.label} ({a.describe()}) {operator} {right.label} ({b.describe()}) "
            "cannot be computed: the run would stop with an error here",
            left.label,
        )
        return Value(None, label)


def _compatible(a: Shape, b: Shape, *, ordered: bool) -> bool:
    numeric = {"number", "boolean"}
    if a.kind in numeric and b.kind in numeric:
        return True
    if a.kind != b.kind:
        return False
    return not ordered or a.kind in _ORDERED


class _Checker:
    def __init__(self, context: SopContext) -> None:
        self.context = context
        self.shapes = _Shapes(context)

    @cached_property
    def saved_names(self) -> frozenset[str]:
        return frozenset(saved.name for saved in self.context.sites.saved)

    def site(self, site: ExpressionSite) -> None:
        self.nested_fields(site)
        if not site.condition and "{%" in site.text:
            return  # statements: beyond the reader
        for body in [site.text] if site.condition else _SEGMENT.findall(site.text):
            if not _JUDGED.search(body):
                continue
            findings: list[Finding] = []
            try:
                _Reader(body, self.shapes, findings).read()
            except _Declined:
                continue
            for finding in findings:
                self.context.report(finding.code, site.path, finding.message, needle=finding.needle)

    def nested_fields(self, site: ExpressionSite) -> None:
        """SOP206 below the first field (names.py checks the first one)."""
        try:
            references = analyse(site.text, condition=site.condition).references
        except ExpressionError:
            return
        for reference in references:
            if len(reference.path) < 2 or reference.root not in self.saved_names:
                continue
            shape = self.shapes.saved(reference.root)
            label = reference.root
            for depth, name in enumerate(reference.path):
                if shape is None or shape.kind != "object":
                    break
                if name not in shape.fields:
                    if depth > 0 and name not in _DICT_METHODS:
                        fields = sorted(shape.fields)
                        self.context.report(
                            "SOP206",
                            site.path,
                            f"'{label}' has no field '{name}'" + did_you_mean(name, fields),
                            f"{label} ({shape.source}) has: " + ", ".join(fields),
                            needle=f"{label}.{name}",
                        )
                    break
                label = f"{label}.{name}"
                shape = shape.fields[name]


def check_types(context: SopContext) -> None:
    """SOP206 (deeper fields), SOP231, SOP232 over every expression of the procedure."""
    checker = _Checker(context)
    for site in context.sites.expressions:
        if site.event:
            continue  # reads the triggering event, whose shape is not known
        checker.site(site)


CHECKS = (check_types,)
