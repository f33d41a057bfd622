"""Whatever answers at HubSpot's URL with 200 and a body of the wrong shape (a JSON array
where a record belongs, 50 MB) is one ``ToolError`` naming the setting to check, and a huge
body is refused while it streams in, not held in memory (a huge refusal's body is dropped,
its status kept)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import pytest
from werkzeug import Request, Response

from bot.connectors.base import ToolError
from bot.connectors.hubspot.connector import HubSpotConnector
from tests.connectors.hubspot.conftest import ACME, operation
from tests.connectors.hubspot.fake_hubspot import FakeHubSpot

READ = ("crm.get_account", {"account_id": ACME})


def failure(hub: HubSpotConnector) -> str:
    with pytest.raises(ToolError) as failed:
        hub.invoke(operation(READ[0]), READ[1])
    assert failed.value.retryable is False
    return str(failed.value)


def test_a_json_array_instead_of_a_record_is_a_tool_error(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    portal.fail_next(lambda _r: Response("[]", content_type="application/json"))

    assert failure(hub) == (
        f"HubSpot's answer was not a JSON object while reading account {ACME} (companies); "
        "check SOPBOT_HUBSPOT_API_URL points at HubSpot's API"
    )


def test_a_50_mb_answer_is_refused_while_it_streams_in(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    def huge(_request: Request) -> Response:
        def chunks() -> Iterator[bytes]:  # chunked: no Content-Length to refuse it early
            yield b'{"id": "1001", "properties": {"name": "'
            for _ in range(50 * 1024):
                yield b"x" * 1024
            yield b'"}}'

        return Response(chunks(), content_type="application/json")

    portal.fail_next(huge)
    tracemalloc.start()
    try:
        error = failure(hub)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error == (
        f"HubSpot answered more than 8,388,608 bytes while reading account {ACME} (companies); "
        "check SOPBOT_HUBSPOT_API_URL points at HubSpot's API"
    )
    assert peak < 32 * 1024 * 1024, f"{peak:,} bytes held for a refused answer"
    assert hub.invoke(operation(READ[0]), READ[1])["name"] == "Acme Logistics", (
        "the dropped connection is not reused"
    )


def test_a_50_mb_500_is_cut_while_it_streams_in_and_still_retried(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    """The client reads a refusal's body whole; a proxy's 500 with a huge page is still an
    outage worth retrying, without holding the page."""

    def huge(_request: Request) -> Response:
        def chunks() -> Iterator[bytes]:  # chunked: no Content-Length to refuse it early
            yield b'{"message": "'
            for _ in range(50 * 1024):
                yield b"x" * 1024
            yield b'"}'

        return Response(chunks(), status=500, content_type="application/json")

    portal.fail_next(huge)
    tracemalloc.start()
    try:
        with pytest.raises(ToolError) as failed:
            hub.invoke(operation(READ[0]), READ[1])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert str(failed.value) == f"HubSpot failed with 500 while reading account {ACME} (companies)"
    assert failed.value.retryable is True
    assert peak < 32 * 1024 * 1024, f"{peak:,} bytes held for a refused answer"
    assert hub.invoke(operation(READ[0]), READ[1])["name"] == "Acme Logistics", (
        "the dropped connection is not reused"
    )
