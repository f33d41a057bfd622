"""How an operation is declared: typed arguments and result, and its side-effect facts."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict


class Args(BaseModel):
    """Base of operation arguments: unknown arguments are errors."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class Result(BaseModel):
    """Base of operation results: tools may return more than we declare."""

    model_config = ConfigDict(extra="allow", defer_build=True)


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


@dataclass(frozen=True)
class ConnectorSpec:
    """A connector's declaration: its namespace and operations. Registered built in, through
    the ``sopbot.connectors`` entry point, or named in config as ``module:attribute``."""

    namespace: str
    title: str
    operations: tuple[Operation, ...]
