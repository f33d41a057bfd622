"""How an operation is declared (typed arguments and result, and its side-effect facts), and
what performs it: a connector, built for its namespaces by a factory."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, create_model, model_validator
from pydantic_core import PydanticCustomError

from bot.finite import non_finite_problem
from bot.procedure.types import OPERATION_NAME_PATTERN

_OPERATION_NAME = re.compile(OPERATION_NAME_PATTERN)
_NAMESPACE = re.compile(r"[a-z][a-z0-9_]*")


class FiniteModel(BaseModel):
    """Refuses NaN and infinity anywhere in its data: in number fields (also when given as
    text, ``"nan"``) and inside free-form ones (a ``dict[str, Any]`` of CRM fields), where
    JSON output would otherwise turn them silently into null."""

    model_config = ConfigDict(allow_inf_nan=False, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _finite(cls, data: Any) -> Any:
        problem = non_finite_problem(data, "")
        if problem is not None:
            raise PydanticCustomError("finite_number", problem)
        return data


class Args(FiniteModel):
    """Base of operation arguments: unknown arguments are errors."""

    model_config = ConfigDict(extra="forbid")


class Result(FiniteModel):
    """Base of operation results: tools may return more than we declare."""

    model_config = ConfigDict(extra="allow")


class ValueResult(Result):
    """A result that is not an object (a list, a number, a text): the tool's answer is kept
    under ``value``, so an SOP reads ``orders.value``. Made by ``value_result``."""


def value_result(annotation: Any, name: str) -> type[Result]:
    """The result model of an operation that answers ``annotation`` (``list[Order]``,
    ``int``) instead of an object; ``name`` names the model in errors and the schema."""
    model: type[Result] = create_model(name, __base__=ValueResult, value=(annotation, ...))
    return model


def as_result(model: type[Result], answer: Any) -> Any:
    """A tool's answer in the shape its result model reads: wrapped as ``{"value": …}``
    when the model is a ``value_result`` or the answer is not an object."""
    if issubclass(model, ValueResult) or not isinstance(answer, dict):
        return {"value": answer}
    return answer


@dataclass(frozen=True)
class Operation:
    """One operation of a connector, such as ``jira.create_issue``.

    ``writes`` marks a side effect outside sopbot (shadow mode records it instead; assist
    mode asks first). ``idempotent`` says repeating it changes nothing more, so the engine
    may retry it after a crash; a write that is not idempotent is escalated instead unless
    the call carries an idempotency key and ``accepts_idempotency_key`` is set.
    ``text_args`` are the arguments whose text reaches a person (guardrails check them).
    """

    name: str
    summary: str
    args: type[Args]
    result: type[Result]
    writes: bool
    idempotent: bool
    text_args: tuple[str, ...] = ()
    accepts_idempotency_key: bool = False
    secret_args: tuple[str, ...] = field(default=())

    @property
    def namespace(self) -> str:
        """The connector part of the name: ``jira`` for ``jira.create_issue``, ``shop`` for
        ``shop.orders.getOrder``."""
        return self.name.split(".", 1)[0]

    def naming_problem(self) -> str | None:
        """Why the name cannot be written in an SOP; None when it can."""
        if _OPERATION_NAME.fullmatch(self.name):
            return None
        return (
            f"operation name '{self.name}' is not namespace.operation: write a lower_snake_case "
            "namespace, a dot, then the tool's own name (letters, digits and underscores, "
            "camelCase and further dots allowed, such as shop.orders.getOrder)"
        )

    @property
    def argument_names(self) -> tuple[str, ...]:
        """Every argument the operation accepts, aliases as written in SOPs."""
        return tuple(info.alias or name for name, info in self.args.model_fields.items())

    @property
    def required_arguments(self) -> tuple[str, ...]:
        """The arguments a call must give."""
        return tuple(
            info.alias or name
            for name, info in self.args.model_fields.items()
            if info.is_required()
        )


class Connector(Protocol):
    """Performs the operations of the namespaces it was built for.

    The engine calls ``invoke`` only after the guardrails have passed the call; a connector
    never decides what is allowed. It raises ``bot.connectors.base.ToolError`` when the tool
    refuses or fails.
    """

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> Any:
        """Perform one validated call and return the result as plain JSON-able data: an
        object, or any other JSON value (the engine reads it as ``{"value": …}``)."""
        ...


@dataclass(frozen=True)
class Health:
    """One line of ``sopbot doctor``: what was checked, whether it passed, and in ``detail``
    what was found or, when it failed, what the operator must fix."""

    subject: str
    ok: bool
    detail: str
    warning: bool = False
    """Passed, but worth the operator's look (the tool's clock is more than a minute off):
    shown as ``warn``, and not a failure."""


@runtime_checkable
class SelfChecking(Protocol):
    """A connector that can tell whether it can work (``sopbot doctor``): its tool reachable,
    the credentials accepted, the permissions the catalogue's operations need granted, and
    the tool's clock close to ours. ``check`` never changes anything in the tool."""

    def check(self) -> list[Health]:
        """One ``Health`` per thing checked; never raises for a tool's fault."""
        ...


@dataclass(frozen=True)
class ConnectorServices:
    """What a factory may use to build a connector: the namespaces it is chosen for, the
    clock, and the operator's configured secrets (``SOPBOT_SECRET_*``) for credentials."""

    namespaces: tuple[str, ...]
    now: Callable[[], dt.datetime]
    secrets: Mapping[str, str]


ConnectorFactory = Callable[[ConnectorServices], Connector]
"""Builds the connector for some namespaces; called once per process at start."""


@dataclass(frozen=True)
class ConnectorSpec:
    """A connector's declaration: its namespace and operations, and the ``factory`` that
    builds what performs them (None: declared only, for SOPs written before the connector).
    Registered built in, through the ``sopbot.connectors`` entry point, or named in config as
    ``module:attribute``."""

    namespace: str
    title: str
    operations: tuple[Operation, ...]
    factory: ConnectorFactory | None = None

    def naming_problems(self) -> list[str]:
        """Why this connector's names cannot be written in an SOP (empty when they can):
        a namespace that is not lower_snake_case, or an operation name that is malformed."""
        problems = []
        if not _NAMESPACE.fullmatch(self.namespace):
            problems.append(
                f"connector namespace '{self.namespace}' is not lower_snake_case (letters, "
                "digits and underscores, starting with a letter); the tool's own spelling "
                "belongs after the dot"
            )
        problems.extend(
            problem
            for problem in (operation.naming_problem() for operation in self.operations)
            if problem is not None
        )
        return problems
