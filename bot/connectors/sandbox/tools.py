"""``SandboxTools``: every built-in operation, performed against the embedded demo tools.

Each call is one short transaction. Writes take the sandbox's write lock, are logged in
``sandbox_calls`` (the count "at the tool" that tests check) and honour idempotency keys
where the operation accepts them; reads never touch the log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.audit.masking import mask
from bot.catalogue.operation import Operation
from bot.connectors.base import ToolError
from bot.connectors.sandbox import calendar, crm, email, hr, http, jira, metrics, orders, slack
from bot.connectors.sandbox.failures import PlannedFailure, PlannedFailures
from bot.connectors.sandbox.store import Handler, Store, take_write_lock
from storage.database import Database
from storage.models import SandboxCall
from storage.outages import DatabaseOutage, retrying

HANDLERS: Mapping[str, Handler] = {
    **crm.HANDLERS,
    **orders.HANDLERS,
    **metrics.HANDLERS,
    **jira.HANDLERS,
    **email.HANDLERS,
    **slack.HANDLERS,
    **calendar.HANDLERS,
    **hr.HANDLERS,
    **http.HANDLERS,
}
MAX_IDEMPOTENCY_KEY = 200


class SandboxTools:
    """The ``Connector`` for every built-in namespace when no real tool is configured."""

    namespaces: tuple[str, ...] = ("jira", "crm", "email", "slack", "http", "calendar", "hr")

    def __init__(self, database: Database, now: Callable[[], dt.datetime]) -> None:
        self._database = database
        self._now = now
        self._failures = PlannedFailures()

    def fail_next(
        self, operation: str, error: ToolError, times: int = 1, *, after_performing: bool = False
    ) -> None:
        """Make the next ``times`` calls of ``operation`` raise ``error``.

        With ``after_performing`` the call still takes effect and only the answer is lost,
        like a timeout after the tool acted.
        """
        if operation not in HANDLERS:
            raise ValueError(f"the sandbox has no operation '{operation}'")
        self._failures.plan(operation, PlannedFailure(error, after_performing), times)

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> dict[str, Any]:
        """Perform one call and return its result as JSON-able data."""
        handler = HANDLERS.get(operation.name)
        if handler is None:
            raise ToolError(f"the sandbox has no operation '{operation.name}'")
        failure = self._failures.take(operation.name)
        if failure is not None and not failure.after_performing:
            raise failure.error
        args = _parse_arguments(operation, arguments)
        key = idempotency_key if operation.accepts_idempotency_key else None
        try:  # the demo tools live in sopbot's own database: they wait out its outages too
            result = retrying(
                lambda: (
                    self._write(operation, handler, args, arguments, key)
                    if operation.writes
                    else self._read(handler, args)
                ),
                what=f"sandbox {operation.name}",
            )
        except DatabaseOutage as outage:
            raise ToolError(f"the sandbox is unreachable: {outage}", retryable=True) from outage
        if failure is not None:
            raise failure.error
        return result

    def _read(self, handler: Handler, args: BaseModel) -> dict[str, Any]:
        with self._database.session(read_only=True) as session:
            return handler(Store(session), args, self._now()).model_dump(mode="json")

    def _write(
        self,
        operation: Operation,
        handler: Handler,
        args: BaseModel,
        arguments: dict[str, Any],
        key: str | None,
    ) -> dict[str, Any]:
        if key is not None and len(key) > MAX_IDEMPOTENCY_KEY:
            raise ToolError(f"an idempotency key is at most {MAX_IDEMPOTENCY_KEY} characters")
        logged_arguments: dict[str, Any] = mask(arguments, (), operation.secret_args)
        with self._database.session() as session:
            take_write_lock(session)
            if key is not None:
                earlier = _earlier_call(session, operation.name, key)
                if earlier is not None:
                    if earlier.arguments != logged_arguments:
                        raise ToolError(
                            f"the idempotency key '{key}' was already used for {operation.name} "
                            "with different arguments"
                        )
                    return earlier.result
            now = self._now()
            result = handler(Store(session), args, now).model_dump(mode="json")
            session.add(
                SandboxCall(
                    operation=operation.name,
                    arguments=logged_arguments,
                    result=result,
                    idempotency_key=key,
                    at=now,
                )
            )
        return result


def _parse_arguments(operation: Operation, arguments: dict[str, Any]) -> BaseModel:
    """The engine validated already; a direct caller still gets a clear refusal."""
    try:
        return operation.args.model_validate(arguments)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "arguments"
        raise ToolError(f"{operation.name}: {where}: {problem['msg']}") from None


def _earlier_call(session: Session, operation: str, key: str) -> SandboxCall | None:
    return session.scalars(
        select(SandboxCall)
        .where(SandboxCall.operation == operation, SandboxCall.idempotency_key == key)
        .order_by(SandboxCall.id)
        .limit(1)
    ).first()
