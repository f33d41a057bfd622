"""What a procedure sees of an HTTP call: the answer as JSON or text, the operator's
credential sent (never shown), and every fault as a ToolError that says whether waiting
helps and what to do."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from bot.connectors.base import ToolError
from tests.connectors.http.conftest import REQUEST, TOKEN, Call, build


def test_a_json_answer_is_the_result_and_the_base_credential_is_sent(
    httpserver: HTTPServer, call: Call, base: str
) -> None:
    httpserver.expect_request(
        "/api/orders", method="POST", headers={"Authorization": TOKEN}, json={"sku": "A1"}
    ).respond_with_json({"id": "7001", "total": 12.5}, status=201)

    result = call(f"{base}orders", method="POST", json={"sku": "A1"})

    assert result == {"status": 201, "body": {"id": "7001", "total": 12.5}}


def test_a_text_answer_is_kept_as_text(httpserver: HTTPServer, call: Call, base: str) -> None:
    httpserver.expect_request("/api/ping").respond_with_data("pong", content_type="text/plain")

    assert call(f"{base}ping") == {"status": 200, "body": "pong"}


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://api.example.com.evil.test/v1/x", "is not under a base URL in SOPBOT_HTTP_ALLOW"),
        ("https://api.example.com@evil.test/v1/x", "has user information before the host"),
        ("https://evil.test\\@api.example.com/v1/x", "contains a backslash"),
        ("http://api.example.com/v1/x", "is not under a base URL in SOPBOT_HTTP_ALLOW"),
        ("https://api.example.com:8443/v1/x", "is not under a base URL in SOPBOT_HTTP_ALLOW"),
        ("https://api.example.com/v2/x", "is not under a base URL in SOPBOT_HTTP_ALLOW"),
        ("https://api.example.com/v1/../admin", "https://api.example.com/admin is not under"),
        ("https://api.example.com/v1/%2e%2e/admin", "has a '.' or '..' path segment"),
    ],
    ids=["suffix host", "userinfo", "backslash", "http", "port", "path", "dots", "encoded dots"],
)
def test_a_url_off_the_allowlist_is_refused_before_any_connection(url: str, why: str) -> None:
    connector = build(["https://api.example.com/v1/"])

    with pytest.raises(ToolError) as refused:
        connector.invoke(REQUEST, {"url": url})

    assert why in str(refused.value)
    assert "sopbot did not call it" in str(refused.value)
    assert not refused.value.retryable


def test_the_refusal_names_the_allowed_bases() -> None:
    with pytest.raises(ToolError) as refused:
        build(["https://api.example.com/v1/"]).invoke(REQUEST, {"url": "https://evil.test/x"})

    assert str(refused.value) == (
        "sopbot did not call it: https://evil.test/x is not under a base URL in "
        "SOPBOT_HTTP_ALLOW (allowed: https://api.example.com/v1/); the operator adds the "
        "base there"
    )


def test_a_redirect_is_followed_on_the_allowlist_only(
    httpserver: HTTPServer, call: Call, base: str
) -> None:
    httpserver.expect_request("/api/old").respond_with_data(
        status=301, headers={"Location": "/api/new"}
    )
    httpserver.expect_request("/api/new").respond_with_json({"moved": True})
    off_list = httpserver.url_for("/api/x").replace("localhost", "127.0.0.1")
    httpserver.expect_request("/api/away").respond_with_data(
        status=302, headers={"Location": off_list}
    )

    assert call(f"{base}old") == {"status": 200, "body": {"moved": True}}
    with pytest.raises(ToolError) as refused:
        call(f"{base}away")

    assert f"{off_list} is not under a base URL in SOPBOT_HTTP_ALLOW" in str(refused.value)
    assert [request.path for request, _ in httpserver.log] == ["/api/old", "/api/new", "/api/away"]


def test_a_server_error_is_worth_retrying(httpserver: HTTPServer, call: Call, base: str) -> None:
    httpserver.expect_oneshot_request("/api/orders").respond_with_data("upstream down", 503)
    httpserver.expect_oneshot_request("/api/orders").respond_with_json([])

    with pytest.raises(ToolError) as failed:
        call(f"{base}orders")
    assert failed.value.retryable
    assert str(failed.value).endswith("/api/orders failed with 503: upstream down")

    assert call(f"{base}orders") == {"status": 200, "body": []}, "the retry succeeds"


def test_a_client_error_is_final_with_the_servers_short_reason(
    httpserver: HTTPServer, call: Call, base: str
) -> None:
    httpserver.expect_request("/api/orders/999").respond_with_json(
        {"error": {"message": "no order 999"}}, status=404
    )

    with pytest.raises(ToolError) as refused:
        call(f"{base}orders/999")

    assert not refused.value.retryable
    assert str(refused.value).endswith("/api/orders/999 refused the request with 404: no order 999")


def test_an_auth_failure_says_what_to_check_and_never_shows_the_credential(
    httpserver: HTTPServer, call: Call, base: str
) -> None:
    httpserver.expect_request("/api/me").respond_with_data(f"bad token {TOKEN}", status=401)

    with pytest.raises(ToolError) as refused:
        call(f"{base}me")

    message = str(refused.value)
    assert TOKEN not in message
    assert "tok-3f9a61c2e8d4" not in message
    assert "bad token ••••" in message
    assert "check SOPBOT_HTTP_AUTH and the secret" in message


@pytest.mark.parametrize(
    ("retry_after", "seconds"), [("120", 120.0), ("Wed, 02 Dec 2026 09:01:30 GMT", 90.0)]
)
def test_a_rate_limit_asks_to_wait_as_long_as_the_server_says(
    httpserver: HTTPServer, call: Call, base: str, retry_after: str, seconds: float
) -> None:
    httpserver.expect_request("/api/orders").respond_with_data(
        "slow down", status=429, headers={"Retry-After": retry_after}
    )

    with pytest.raises(ToolError) as limited:
        call(f"{base}orders")

    assert (limited.value.retryable, limited.value.retry_after) == (True, seconds)
    assert f"it asks to wait {seconds:g}s" in str(limited.value)


def test_a_hanging_server_is_a_timeout_worth_retrying(
    httpserver: HTTPServer, call: Call, base: str
) -> None:
    release = threading.Event()

    def hang(request: Request) -> Response:
        release.wait(timeout=10)
        return Response("late")

    httpserver.expect_request("/api/slow").respond_with_handler(hang)
    try:
        with pytest.raises(ToolError) as timed_out:
            call(f"{base}slow")
    finally:
        release.set()

    assert timed_out.value.retryable
    assert str(timed_out.value).endswith("/api/slow did not answer within 1s")


def test_a_ten_megabyte_answer_is_refused_unread(
    httpserver: HTTPServer, call: Call, base: str
) -> None:
    httpserver.expect_request("/api/export").respond_with_data(b"x" * 10_000_000)

    with pytest.raises(ToolError) as refused:
        call(f"{base}export")

    assert "answered more than 1,000,000 bytes, sopbot's cap (SOPBOT_HTTP_MAX_BYTES)" in str(
        refused.value
    )
    assert not refused.value.retryable


def test_a_huge_streamed_answer_is_cut_off_at_the_cap(
    httpserver: HTTPServer, call: Call, base: str
) -> None:
    sent = []

    def chunks() -> Iterator[bytes]:
        for _ in range(1_000):  # 64 MB in 64 KB chunks, without a Content-Length
            sent.append(1)
            yield b"x" * 65_536

    httpserver.expect_request("/api/stream").respond_with_handler(
        lambda request: Response(chunks(), content_type="text/plain")
    )

    with pytest.raises(ToolError) as refused:
        call(f"{base}stream")

    assert "sopbot's cap" in str(refused.value)
    assert len(sent) < 1_000, "the rest of the answer was never asked for"


def test_broken_json_is_a_clear_error(httpserver: HTTPServer, call: Call, base: str) -> None:
    httpserver.expect_request("/api/orders").respond_with_data(
        '{"id": "7001", "total": ', content_type="application/json"
    )

    with pytest.raises(ToolError) as broken:
        call(f"{base}orders")

    assert "/api/orders answered broken JSON (Expecting value at character 24)" in str(broken.value)
    assert not broken.value.retryable


def test_a_header_of_the_call_is_sent_but_the_base_credential_wins(
    httpserver: HTTPServer, call: Call, base: str
) -> None:
    httpserver.expect_request(
        "/api/hook", headers={"Authorization": TOKEN, "X-Trace": "run-1"}
    ).respond_with_data(json.dumps({"ok": True}), content_type="application/vnd.api+json")

    result = call(f"{base}hook", headers={"Authorization": "Bearer guess", "X-Trace": "run-1"})

    assert result == {"status": 200, "body": {"ok": True}}
