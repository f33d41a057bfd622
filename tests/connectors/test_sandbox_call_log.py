"""The call log is the count "at the tool": one row per write performed, none for reads,
one for a write repeated under the same idempotency key, none for a planned failure."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from bot.catalogue.builtin.crm import OrderArgs
from bot.catalogue.operation import Operation, Result
from bot.catalogue.registry import build_catalogue
from bot.connectors.base import ToolError
from bot.connectors.sandbox import SandboxTools
from storage.models import SandboxCall

Call = Callable[..., dict[str, Any]]
Logged = Callable[..., list[SandboxCall]]

REFUND = {"order_id": "1042", "amount": 100, "reason": "Late delivery"}


def test_a_repeated_idempotency_key_returns_the_first_result_and_acts_once(
    call: Call, logged: Logged
) -> None:
    first = call("crm.refund", REFUND, key="refund-1042-run-7")
    again = call("crm.refund", REFUND, key="refund-1042-run-7")
    call(
        "email.send", {"to": ["a@b.example"], "subject": "s", "body": "b"}, key="refund-1042-run-7"
    )

    assert again == first
    assert [(row.operation, row.idempotency_key) for row in logged()] == [
        ("crm.refund", "refund-1042-run-7"),
        ("email.send", "refund-1042-run-7"),
    ]
    assert call("crm.get_order", {"order_id": "1042"})["refunded"] == 100.0


def test_a_key_reused_with_other_arguments_is_refused(call: Call, logged: Logged) -> None:
    call("crm.refund", REFUND, key="refund-1042")

    with pytest.raises(ToolError) as caught:
        call("crm.refund", {**REFUND, "amount": 200}, key="refund-1042")

    assert str(caught.value) == (
        "the idempotency key 'refund-1042' was already used for crm.refund with different arguments"
    )
    assert caught.value.retryable is False
    assert len(logged()) == 1


def test_a_key_means_nothing_to_an_operation_that_does_not_accept_one(
    call: Call, logged: Logged
) -> None:
    """Jira comments have no idempotency keys, so the sandbox must not pretend they do."""
    key = call("jira.create_issue", {"project": "BUG", "summary": "Export drops rows"})["key"]
    comment = {"key": key, "body": "Customer called back"}
    ids = [call("jira.add_comment", comment, key="comment-T-501")["id"] for _ in range(2)]

    assert ids[0] != ids[1]
    assert [row.idempotency_key for row in logged("jira.add_comment")] == [None, None]


def test_reads_never_write_to_the_log(call: Call, logged: Logged) -> None:
    call("crm.get_order", {"order_id": "1042"}, key="read-1")
    call("crm.get_metrics", {"period": "last_day"})
    call("hr.get_employee", {"user": "U02DEV"})
    call("calendar.get_meeting", {"meeting_id": "M-802"})

    assert logged() == []


def test_an_overlong_idempotency_key_is_refused(call: Call, logged: Logged) -> None:
    with pytest.raises(ToolError, match="at most 200 characters"):
        call("crm.refund", REFUND, key="k" * 201)

    assert logged() == []


def test_fail_next_raises_the_given_error_exactly_that_many_times(
    sandbox: SandboxTools, call: Call, logged: Logged
) -> None:
    throttled = ToolError("429 Too Many Requests", retryable=True, retry_after=30.0)
    sandbox.fail_next("crm.refund", throttled, times=2)

    raised = []
    for _ in range(2):
        with pytest.raises(ToolError) as caught:
            call("crm.refund", REFUND)
        raised.append(caught.value)
    untouched = call("crm.get_order", {"order_id": "1042"})
    call("slack.post", {"channel": "#ops", "text": "other tools still work"})
    refunded = call("crm.refund", REFUND)

    assert raised == [throttled, throttled]
    assert (throttled.retryable, throttled.retry_after) == (True, 30.0)
    assert untouched["refunded"] == 0.0
    assert refunded["amount"] == 100.0
    assert [row.operation for row in logged()] == ["slack.post", "crm.refund"]


def test_a_timeout_after_the_tool_acted_is_safe_to_retry_with_the_same_key(
    sandbox: SandboxTools, call: Call, logged: Logged
) -> None:
    sandbox.fail_next("crm.refund", ToolError("timed out", retryable=True), after_performing=True)

    with pytest.raises(ToolError, match="timed out"):
        call("crm.refund", REFUND, key="refund-1042-run-9")
    retried = call("crm.refund", REFUND, key="refund-1042-run-9")

    assert retried["order_id"] == "1042"
    assert len(logged("crm.refund")) == 1
    assert call("crm.get_order", {"order_id": "1042"})["refunded"] == 100.0


def test_fail_next_refuses_what_it_cannot_plan(sandbox: SandboxTools) -> None:
    outage = ToolError("503", retryable=True)

    with pytest.raises(ValueError, match=re.escape("the sandbox has no operation 'crm.refnd'")):
        sandbox.fail_next("crm.refnd", outage)
    with pytest.raises(ValueError, match="times must be at least 1, not 0"):
        sandbox.fail_next("crm.refund", outage, times=0)


def test_unknown_operations_and_malformed_arguments_get_a_clear_refusal(
    sandbox: SandboxTools,
) -> None:
    merge = Operation(
        "crm.merge_accounts", "Merge two accounts", OrderArgs, Result, writes=True, idempotent=False
    )
    refund = build_catalogue().get("crm.refund")
    assert refund is not None

    with pytest.raises(
        ToolError, match=re.escape("the sandbox has no operation 'crm.merge_accounts'")
    ):
        sandbox.invoke(merge, {"order_id": "1042"})
    with pytest.raises(ToolError, match=re.escape("crm.refund: amount: Field required")):
        sandbox.invoke(refund, {"order_id": "1042", "reason": "x"})


def test_concurrent_refunds_never_exceed_what_was_paid(
    sandbox: SandboxTools, call: Call, logged: Logged
) -> None:
    start = threading.Barrier(8)

    def refund_100(_: int) -> bool:
        start.wait(timeout=10)
        try:
            call("crm.refund", REFUND)
        except ToolError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(refund_100, range(8)))

    assert outcomes.count(True) == 6  # 640.00 paid: six refunds of 100, then 40 remain
    assert call("crm.get_order", {"order_id": "1042"})["refunded"] == 600.0
    assert len(logged("crm.refund")) == 6
