"""The Jinja environment SOP expressions run in: Jinja's immutable sandbox, bounded.

Jinja's sandbox stops attribute tricks; it does not stop work. Here every operator, call,
attribute access, filter, loop turn and piece of output counts against the running
evaluation's budget (``bot.procedure.limits``), operations that could make huge values are
checked before they run, methods are limited to a list of cheap ones, and no Jinja global
(``range``, ``lipsum``, ``cycler`` ...) exists: the only globals are the date functions of
``bot.procedure.dates``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import types
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import _PassArg

from bot.procedure import dates, limits
from bot.procedure.limits import ExpressionLimit

_TEXT_METHODS = frozenset(
    (  # noqa: SIM905 - a word list reads better than one name per line
        "capitalize casefold center count endswith find format index isalnum isalpha "
        "isdecimal isdigit islower isnumeric isspace istitle isupper join ljust lower lstrip "
        "partition removeprefix removesuffix replace rfind rindex rjust rpartition rsplit "
        "rstrip split splitlines startswith strip swapcase title upper zfill"
    ).split()
)
_METHODS: tuple[tuple[type, frozenset[str]], ...] = (
    (str, _TEXT_METHODS),
    (dict, frozenset(("get", "items", "keys", "values"))),
    (list, frozenset(("count", "index"))),
    (tuple, frozenset(("count", "index"))),
    (
        dt.date,  # datetime too
        frozenset(
            ("date", "isoformat", "isoweekday", "strftime", "timestamp", "weekday", "replace")
        ),
    ),
    (LoopContext, frozenset(("cycle", "changed"))),
)
"""The methods an expression may call, by type: each costs at most a pass over its value."""

_WIDTH_PARAMETERS = frozenset(("width", "linecount", "slices"))
"""Filter parameters that size the result: ``center(width)``, ``batch(linecount)`` ..."""


def allowed_method(owner: Any, name: str) -> bool:
    """True when ``owner.name()`` is on the list of cheap methods."""
    return any(isinstance(owner, kind) and name in names for kind, names in _METHODS)


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator with every loop turn counted and ``~`` bounded."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:  # noqa: N802 - Jinja's name
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Call(
                nodes.ImportedName(f"{limits.__name__}.metered"),
                [loop.iter],
                [],
                None,
                None,
                lineno=loop.iter.lineno,
            )
        super().visit_Template(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:  # noqa: N802 - Jinja's name
        self.write("environment.joined((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with limits; see the module's docstring."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset(("+", "-", "*", "/", "//", "%", "**"))

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False)
        self.globals.clear()
        self.globals.update(dates.FUNCTIONS)  # called through ``call``: counted and sized
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        self.tests = {name: _counted(test) for name, test in self.tests.items()}

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        limits.tick()
        limits.check_binop(operator, left, right)
        result = super().call_binop(context, operator, left, right)
        return limits.check_size(result, f"'{operator}'")

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        limits.tick()
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, str):
            args = _checked_text_method(owner, name, args)
        result = super().call(__context, __obj, *args, **kwargs)
        return limits.check_size(result, f"calling {name or 'a function'}")

    def getattr(self, obj: Any, attribute: str) -> Any:
        limits.tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        limits.tick()
        return super().getitem(obj, argument)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Data attributes as the sandbox allows them; methods only from the list."""
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(value, types.MethodType | types.BuiltinMethodType) or callable(value):
            return allowed_method(obj, attr)
        return True

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        """Say in words why an attribute is refused."""
        if attribute.startswith("_"):
            message = f"'{attribute}' is a private attribute: expressions read data fields only"
        else:
            message = (
                f"the method '{attribute}' of {type(obj).__name__} is not available in SOP "
                "expressions (docs/writing-sops.md lists the ones that are)"
            )
        return self.undefined(message, name=attribute, obj=obj, exc=SecurityError)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        limits.check_brace_format(value.__self__)
        return wrapped

    def concat(self, pieces: Iterable[str]) -> str:
        """Join rendered output, refusing it once it grows past the limit."""
        kept: list[str] = []
        size = 0
        for piece in pieces:
            size += len(piece)
            if size > limits.MAX_LENGTH:
                raise ExpressionLimit(
                    f"the text it renders is over {limits.MAX_LENGTH:,} characters"
                )
            kept.append(piece)
        return "".join(kept)

    def joined(self, values: tuple[Any, ...]) -> str:
        """``a ~ b ~ c``: the texts joined, within the limit."""
        limits.tick()
        return self.concat(map(str, values))


def _checked_text_method(text: str, name: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Check a text method's arguments before the call; returns the arguments to call with."""
    if name in ("center", "ljust", "rjust", "zfill") and args and isinstance(args[0], int):
        limits.check_width(args[0], f"the width of {name}")
    elif name == "replace" and len(args) >= 2:
        limits.check_replace(text, *args[:3])
    elif name == "join" and args:
        items = list(args[0])
        limits.check_join(text, items)
        return (items, *args[1:])
    return args


def _counted(test: Any) -> Callable[..., Any]:
    @functools.wraps(test)
    def counted(*args: Any, **kwargs: Any) -> Any:
        limits.tick()
        return test(*args, **kwargs)

    return counted


def _bounded_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """``original`` with its step counted, its size parameters and known blow-ups checked
    before it runs, and its result checked after."""
    skip = 1 if _PassArg.from_obj(original) is not None else 0
    signature = inspect.signature(original)
    parameters = list(signature.parameters.values())
    if parameters and parameters[0].name in ("context", "eval_ctx", "environment"):
        signature = signature.replace(parameters=parameters[1:])  # the passed-in argument
    sized = _WIDTH_PARAMETERS & set(signature.parameters)

    @functools.wraps(original)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        limits.tick()
        if len(args) > skip:
            args = _checked_filter_arguments(name, args, skip, kwargs)
        if sized:
            bound = signature.bind_partial(*args[skip:], **kwargs).arguments
            for parameter in sized:
                value = bound.get(parameter)
                width = len(value) if isinstance(value, str) else value
                if isinstance(width, int):
                    limits.check_width(width, f"the {parameter} of the filter {name}")
        return limits.check_size(original(*args, **kwargs), f"the filter {name}")

    return bounded


def _checked_filter_arguments(
    name: str, args: tuple[Any, ...], skip: int, kwargs: dict[str, Any]
) -> tuple[Any, ...]:
    """The checks of filters whose result can outgrow their inputs many times over."""
    value, rest = args[skip], args[skip + 1 :]
    if name == "format" and isinstance(value, str):
        limits.check_percent_format(value)
    elif name == "replace" and len(rest) >= 2:
        limits.check_replace(value, *rest[:3])
    elif name == "join" and not isinstance(value, str):
        items = list(value)
        limits.check_join(rest[0] if rest else kwargs.get("d", ""), items)
        return (*args[:skip], items, *rest)
    elif name == "sum":
        start = rest[1] if len(rest) > 1 else kwargs.get("start", 0)
        if not isinstance(start, int | float):
            raise ExpressionLimit("the filter sum adds numbers; its start must be a number")
    return args


# --- what the validator can tell before anything runs ---------------------------------------


class _Unknown(Exception):
    """A part of an expression whose value is known only at run time."""


def constant_problems(tree: nodes.Template, environment: BoundedEnvironment) -> list[str]:
    """Why the constant parts of ``tree`` (``9 ** (9 ** 9)``, ``'x' | center(10 ** 9)``)
    are sure to exceed the limits at run time: the same checks as evaluation, run on the
    literals alone."""
    problems: list[str] = []
    folder = _ConstantFolder(environment, problems)
    for node in tree.find_all(nodes.Expr):
        if folder.foldable(node):
            with contextlib.suppress(_Unknown):
                folder.value(node)
    return list(dict.fromkeys(problems))


class _ConstantFolder:
    """Computes constant sub-expressions with the limits' checks, noting each refusal."""

    def __init__(self, environment: BoundedEnvironment, problems: list[str]) -> None:
        self.environment = environment
        self.problems = problems

    @staticmethod
    def foldable(node: nodes.Node) -> bool:
        return isinstance(node, nodes.BinExpr | nodes.Filter | nodes.Call | nodes.Concat)

    def value(self, node: nodes.Node) -> Any:
        try:
            return self.compute(node)
        except ExpressionLimit as limit:
            self.problems.append(str(limit))
            raise _Unknown from None
        except _Unknown:
            raise
        except Exception:  # a type error or the like: evaluation reports it in its own words
            raise _Unknown from None

    def compute(self, node: nodes.Node) -> Any:
        if isinstance(node, nodes.Const):
            return node.value
        if isinstance(node, nodes.List | nodes.Tuple):
            return [self.value(item) for item in node.items]
        if isinstance(node, nodes.Neg):
            return -self.value(node.node)
        if isinstance(node, nodes.BinExpr):
            left = self.value(node.left)
            if node.operator == "%" and isinstance(left, str):
                limits.check_percent_format(left)  # a constant format, whatever the values
            right = self.value(node.right)
            limits.check_binop(node.operator, left, right)
            return limits.check_size(
                self.environment.binop_table[node.operator](left, right), f"'{node.operator}'"
            )
        if isinstance(node, nodes.Concat):
            return self.environment.joined(tuple(self.value(part) for part in node.nodes))
        if isinstance(node, nodes.Filter) and node.node is not None and not node.kwargs:
            return self.filter(node)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            owner = self.value(node.node.node)
            if not isinstance(owner, str) or node.kwargs:
                raise _Unknown
            if node.node.attr == "format":
                limits.check_brace_format(owner)
            arguments = _checked_text_method(
                owner, node.node.attr, tuple(self.value(a) for a in node.args)
            )
            if allowed_method(owner, node.node.attr):
                return getattr(owner, node.node.attr)(*arguments)
        raise _Unknown

    def filter(self, node: nodes.Filter) -> Any:
        bounded = self.environment.filters.get(node.name)
        if bounded is None or _PassArg.from_obj(bounded) is _PassArg.context:
            raise _Unknown
        assert node.node is not None
        value = self.value(node.node)
        if node.name == "format" and isinstance(value, str):
            limits.check_percent_format(value)
        arguments = [value, *(self.value(a) for a in node.args)]
        passed = _PassArg.from_obj(bounded)
        if passed is _PassArg.environment:
            arguments.insert(0, self.environment)
        elif passed is _PassArg.eval_context:
            arguments.insert(0, nodes.EvalContext(self.environment))
        return bounded(*arguments)
