"""How an operation is declared (typed arguments and result, and its side-effect facts), and
what performs it: a connector, built for its namespaces by a factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from bot.finite import non_finite_problem


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
        """The connector part of the name: ``jira`` for ``jira.create_issue``."""
        return self.name.split(".", 1)[0]

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
    ) -> dict[str, Any]:
        """Perform one validated call and return the result as plain JSON-able data."""
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
