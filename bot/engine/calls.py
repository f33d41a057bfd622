"""One operation call through the guarded connector boundary.

Order of business, the same for every call in every mode: check the arguments against the
operation's model, check the guardrails, then (shadow) record a "would do", or (live)
journal the call and perform it with a time limit. Every write is journalled as an intent
and committed, with the run's state, *before* the tool is called: after a crash the run
resumes at that call, repeats it with the same idempotency key where the tool honours one,
and otherwise reports it as "may or may not have happened". While a call is in flight the
worker's lease on the run is renewed, so a slow tool does not let a second worker in.
Each namespace has its own bounded lane of threads (``bot.engine.lanes``): a full one
answers at once with a retryable failure, so a hung tool never stalls calls to the others.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy.orm import Session

from bot.audit.masking import mask
from bot.catalogue.operation import Connector, Operation, as_result
from bot.connectors.base import ToolError
from bot.engine.lanes import LaneFull, Lanes
from bot.engine.placeholders import SIMULATED, depends_on_simulation, simulated_result
from bot.engine.status import BOT_ACTOR
from bot.engine.work import RunWork
from bot.finite import recordable
from bot.guardrails.check import check_call
from storage import audit, journal
from storage.journal import CallId

CallStatus = Literal["succeeded", "would_do", "would_read", "failed", "blocked", "unknown"]
SIMULATED_STATUSES = ("would_do", "would_read")
"""Calls shadow mode recorded instead of making: a write, or a read of what one returned."""
DEFAULT_TIMEOUT = dt.timedelta(seconds=30)
LANE_FULL_RETRY_AFTER = 5.0
"""Seconds before a call refused by a full lane is tried again (when its step retries)."""


@dataclass(frozen=True)
class CallResult:
    """What happened to one call. ``unknown``: a non-repeatable write whose fate is unclear."""

    status: CallStatus
    result: dict[str, Any] | None = None
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    timed_out: bool = False

    @property
    def went_through(self) -> bool:
        """True when the run goes on with ``result``: made, or simulated in shadow mode."""
        return self.status == "succeeded" or self.status in SIMULATED_STATUSES


def call_hash(operation: Operation, arguments: dict[str, Any]) -> str:
    """What an approval pins: the operation and its exact (canonical) arguments. The hash,
    not the arguments, is stored, so secrets in a call never land in an approval."""
    text = json.dumps([operation.name, arguments], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def is_repeatable(operation: Operation, idempotency_key: str | None) -> bool:
    """Can this call run again after a crash without a second side effect?"""
    return (
        not operation.writes
        or operation.idempotent
        or (idempotency_key is not None and operation.accepts_idempotency_key)
    )


@dataclass
class Caller:
    """Performs calls for the engine; ``flush`` commits a run's pending changes, ``renew``
    keeps the worker's claim on the run alive every ``renew_every`` seconds of a call."""

    connectors: dict[str, Connector]
    pool: Lanes
    secret_values: Callable[[], list[str]]
    flush: Callable[[RunWork], None]
    renew: Callable[[RunWork], None]
    renew_every: float

    def call(
        self,
        work: RunWork,
        *,
        step_id: str,
        operation: Operation,
        arguments: dict[str, Any],
        idempotency_key: str | None = None,
        timeout: dt.timedelta | None = None,
        call: CallId | None = None,
    ) -> CallResult:
        """Check, then perform (or record) one call, journalling and auditing it.

        ``call`` names the call in the journal; by default it is the step's next call.
        """
        checked = self.check(
            work, step_id=step_id, operation=operation, arguments=arguments, call=call
        )
        if isinstance(checked, CallResult):
            return checked
        canonical = checked
        call = call or work.next_call(step_id)
        if work.run.mode == "shadow" and (operation.writes or depends_on_simulation(canonical)):
            return self._shadow(work, call, operation, canonical)
        return self._perform(
            work, call, operation, canonical, idempotency_key, timeout or DEFAULT_TIMEOUT
        )

    def check(
        self,
        work: RunWork,
        *,
        step_id: str,
        operation: Operation,
        arguments: dict[str, Any],
        call: CallId | None = None,
    ) -> dict[str, Any] | CallResult:
        """The call's arguments in their canonical form, or the refusal (recorded) when the
        arguments do not fit the operation or a guardrail forbids the call."""
        try:
            canonical: dict[str, Any] = operation.args.model_validate(arguments).model_dump(
                mode="json", by_alias=True
            )
        except ValidationError as error:
            problem = _argument_problem(operation, error)
            refused = call or work.next_call(step_id)
            self._record_only(work, refused, operation, arguments, "failed", problem)
            return CallResult("failed", error=problem)
        violation = check_call(work.procedure, operation, canonical)
        if violation is not None:
            refused = call or work.next_call(step_id)
            self._record_only(work, refused, operation, canonical, "blocked", violation.message)
            return CallResult("blocked", error=violation.message)
        return canonical

    def _perform(
        self,
        work: RunWork,
        call: CallId,
        operation: Operation,
        arguments: dict[str, Any],
        idempotency_key: str | None,
        timeout: dt.timedelta,
    ) -> CallResult:
        key = idempotency_key if operation.accepts_idempotency_key else None
        attempt = work.attempt + 1
        started = work.now()
        request = self._masked(operation, {"arguments": arguments})
        intent: dict[str, int] = {}  # the journal id of the intent, once it is written
        if operation.writes:

            def begin(session: Session) -> None:
                intent["id"] = journal.begin_step(
                    session,
                    call=call,
                    kind="action",
                    operation=operation.name,
                    attempt=attempt,
                    request=request,
                    idempotency_key=key,
                    now=started,
                )

            work.later(begin)
            self.flush(work)  # the intent is durable before the tool is touched
        elif work.settle_soon:
            self.flush(work)  # an earlier write's outcome is on record before the next call
        clock_start = time.perf_counter()
        outcome = self._invoke(work, operation, arguments, key, timeout)
        duration_ms = round((time.perf_counter() - clock_start) * 1000, 3)
        if outcome.timed_out and not is_repeatable(operation, key):
            outcome = CallResult(
                "unknown", error=f"{outcome.error}; it may or may not have happened"
            )
        if outcome.status == "succeeded":
            try:
                result = operation.result.model_validate(outcome.result).model_dump(
                    mode="json", by_alias=True
                )
                outcome = CallResult("succeeded", result=result)
            except ValidationError as error:
                outcome = CallResult(
                    "failed",
                    error=f"{operation.name} answered in an unexpected shape: "
                    f"{error.errors()[0]['msg']}",
                )
        finished = work.now()
        response = (
            self._masked(operation, {"result": outcome.result})
            if outcome.result is not None
            else None
        )

        def finish(session: Session) -> None:
            if intent:
                journal.finish_step(
                    session,
                    intent["id"],
                    status=outcome.status,
                    response=response,
                    error=outcome.error,
                    now=finished,
                )
            else:
                journal.record_step(
                    session,
                    call=call,
                    kind="action",
                    operation=operation.name,
                    attempt=attempt,
                    status=outcome.status,
                    request=request,
                    response=response,
                    error=outcome.error,
                    idempotency_key=key,
                    started_at=started,
                    finished_at=finished,
                )
            audit.append(
                session,
                at=finished,
                actor=BOT_ACTOR,
                action=operation.name,
                outcome=outcome.status,
                run_id=work.run.id,
                step_id=call.step_id,
                detail={**request, **(response or {}), "mode": work.run.mode},
                duration_ms=duration_ms,
                reason=outcome.error,
            )

        work.later(finish)
        if not is_repeatable(operation, key):
            work.settle_soon = True  # on record before the next tool is touched
        return outcome

    def _invoke(
        self,
        work: RunWork,
        operation: Operation,
        arguments: dict[str, Any],
        key: str | None,
        timeout: dt.timedelta,
    ) -> CallResult:
        connector = self.connectors.get(operation.namespace)
        if connector is None:
            return CallResult(
                "failed", error=f"no connector is configured for '{operation.namespace}'"
            )
        try:
            future = self.pool.submit(
                operation.namespace, connector.invoke, operation, arguments, idempotency_key=key
            )
        except LaneFull as full:
            return CallResult(
                "failed", error=str(full), retryable=True, retry_after=LANE_FULL_RETRY_AFTER
            )
        try:
            answer = self._answer(work, future, timeout)
            return CallResult("succeeded", result=as_result(operation.result, answer))
        except concurrent.futures.TimeoutError:
            return CallResult(
                "failed",
                error=f"{operation.name} did not answer within {timeout}",
                retryable=True,
                timed_out=True,
            )
        except ToolError as error:
            return CallResult(
                "failed", error=str(error), retryable=error.retryable, retry_after=error.retry_after
            )
        except Exception as error:  # a connector bug must not take the engine down
            return CallResult(
                "failed", error=f"{operation.name} raised {type(error).__name__}: {error}"
            )

    def _answer(
        self, work: RunWork, future: concurrent.futures.Future[Any], timeout: dt.timedelta
    ) -> Any:
        """The tool's answer, waited for up to ``timeout``, renewing the claim meanwhile."""
        deadline = time.monotonic() + timeout.total_seconds()
        while True:
            left = deadline - time.monotonic()
            try:
                return future.result(timeout=max(0.0, min(left, self.renew_every)))
            except concurrent.futures.TimeoutError:
                if left <= self.renew_every:
                    raise
                self.renew(work)

    def _shadow(
        self, work: RunWork, call: CallId, operation: Operation, arguments: dict[str, Any]
    ) -> CallResult:
        """Record the call instead of making it, and answer with a simulated result: a
        write, or a read whose arguments hold what a simulated write returned."""
        status: CallStatus = "would_do" if operation.writes else "would_read"
        seed = f"{call.run_id}/{call.owner_kind}/{call.step_id}/{call.call_no}"
        result = simulated_result(operation.result, seed=seed, arguments=arguments, now=work.now())
        self._record_only(work, call, operation, arguments, status, None, result)
        return CallResult(status, result=result)

    def _record_only(
        self,
        work: RunWork,
        call: CallId,
        operation: Operation,
        arguments: dict[str, Any],
        status: CallStatus,
        reason: str | None,
        simulated: dict[str, Any] | None = None,
    ) -> None:
        """Journal and audit a call that never reached the tool (shadow, or refused), with
        the ``simulated`` result shadow mode answered it with."""
        now = work.now()
        attempt = work.attempt + 1
        request = self._masked(operation, {"arguments": arguments})
        response = (
            None
            if simulated is None
            else self._masked(operation, {"result": simulated, SIMULATED: True})
        )

        def record(session: Session) -> None:
            journal.record_step(
                session,
                call=call,
                kind="action",
                operation=operation.name,
                attempt=attempt,
                status=status,
                request=request,
                response=response,
                error=reason,
                idempotency_key=None,
                started_at=now,
                finished_at=now,
            )
            audit.append(
                session,
                at=now,
                actor=BOT_ACTOR,
                action=operation.name,
                outcome=status,
                run_id=work.run.id,
                step_id=call.step_id,
                detail={**request, **(response or {}), "mode": work.run.mode},
                reason=reason,
            )

        work.later(record)

    def shown(self, operation: Operation, arguments: dict[str, Any]) -> dict[str, Any]:
        """Arguments as people may see them: secret values and secret arguments masked."""
        return self._masked(operation, arguments)

    def _masked(self, operation: Operation, value: dict[str, Any]) -> dict[str, Any]:
        masked: dict[str, Any] = mask(
            recordable(value), self.secret_values(), operation.secret_args
        )
        return masked


def _argument_problem(operation: Operation, error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "arguments"
    return f"{operation.name}: {where}: {first['msg']}"
