"""Every way a HubSpot call can fail, as the one ``ToolError`` line the step's ``on_failure``
gets: what to fix (the token, the scope, the property) or that waiting helps (rate limits,
5xx, timeouts). The client's own retries are off, so each fault reaches the engine once."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest
from werkzeug import Request, Response

from bot.connectors.base import ToolError
from bot.connectors.hubspot.connector import HubSpotConnector
from tests.connectors.hubspot.conftest import ACME, TOKEN, build, operation
from tests.connectors.hubspot.fake_hubspot import FakeHubSpot, error

READ = ("crm.get_account", {"account_id": ACME})


def failure(
    hub: HubSpotConnector, name: str = READ[0], arguments: dict[str, object] = READ[1]
) -> ToolError:
    with pytest.raises(ToolError) as failed:
        hub.invoke(operation(name), arguments)
    return failed.value


def test_a_500_once_is_retryable_reached_hubspot_once_and_the_next_call_works(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    portal.fail_next(lambda request: error(500, "internal error", "INTERNAL_ERROR"))

    failed = failure(hub)

    assert failed.retryable
    assert str(failed) == (
        f"HubSpot failed with 500 while reading account {ACME} (companies): internal error"
    )
    assert len(portal.requests) == 1, "the client did not retry on its own"
    assert hub.invoke(operation(READ[0]), READ[1])["name"] == "Acme Logistics"


def test_a_429_with_retry_after_asks_the_engine_to_wait_that_long(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    def limited(request: Request) -> Response:
        answer = error(
            429, "You have reached your secondly limit.", "RATE_LIMITS", policyName="SECONDLY"
        )
        answer.headers["Retry-After"] = "3"
        return answer

    portal.fail_next(limited)

    failed = failure(hub)

    assert (failed.retryable, failed.retry_after) == (True, 3.0)
    assert str(failed) == (
        f"HubSpot is rate limiting sopbot (secondly) while reading account {ACME} (companies); "
        "it asks to wait 3s"
    )


def test_the_ten_secondly_limit_without_a_header_waits_out_its_window(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    body = {
        "status": "error",
        "message": "You have reached your ten_secondly_rolling limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": "c0ffee",
        "policyName": "TEN_SECONDLY_ROLLING",
    }
    portal.fail_next(
        lambda request: Response(json.dumps(body), 429, content_type="application/json")
    )

    failed = failure(hub)

    assert (failed.retryable, failed.retry_after) == (True, 10.0)
    assert "(ten_secondly_rolling)" in str(failed)


def test_a_hanging_hubspot_is_a_timeout_worth_retrying(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    release = threading.Event()

    def hang(request: Request) -> Response:
        release.wait(timeout=10)
        return Response("{}", content_type="application/json")

    portal.fail_next(hang)
    try:
        failed = failure(hub)
    finally:
        release.set()

    assert failed.retryable
    assert (
        str(failed) == f"HubSpot did not answer within 1s while reading account {ACME} (companies)"
    )
    assert len(portal.requests) == 1, "the client did not retry the timed-out read"


def test_broken_json_is_a_clear_error(hub: HubSpotConnector, portal: FakeHubSpot) -> None:
    portal.fail_next(
        lambda request: Response('{"id": "1001", "properties": ', content_type="application/json")
    )

    failed = failure(hub)

    assert not failed.retryable
    assert str(failed) == (
        f"HubSpot answered broken JSON while reading account {ACME} (companies) (Expecting "
        "value at character 29); check SOPBOT_HUBSPOT_API_URL points at HubSpot's API"
    )


def test_a_refused_token_names_the_setting_and_never_the_token(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    portal.token = "pat-na1-another"

    failed = failure(hub)

    assert not failed.retryable
    assert str(failed) == (
        f"HubSpot refused the access token while reading account {ACME} (companies) "
        "(INVALID_AUTHENTICATION): check SOPBOT_HUBSPOT_ACCESS_TOKEN (the private app's "
        "token; a rotated token must be replaced)"
    )
    assert TOKEN not in str(failed)


def test_a_missing_scope_names_the_scope_to_add(hub: HubSpotConnector, portal: FakeHubSpot) -> None:
    portal.scopes.discard("crm.objects.custom.write")

    failed = failure(hub, "crm.update_claim", {"claim_id": "CL-7001", "status": "paid"})

    assert not failed.retryable
    assert str(failed) == (
        "HubSpot's private app lacks the scope crm.objects.custom.write for updating claim "
        "CL-7001 (p_freight_claims): add it to the app's scopes in HubSpot, then set "
        "SOPBOT_HUBSPOT_ACCESS_TOKEN to the token HubSpot shows"
    )
    assert portal.records("p_freight_claims")["3001"]["status"] == "open"


def test_a_property_hubspot_does_not_have_is_named(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    portal.types["companies"].properties.discard("sopbot_risk_score")

    failed = failure(hub, "crm.set_risk", {"account_id": ACME, "score": 70, "reason": "late"})

    assert not failed.retryable
    assert str(failed) == (
        f"HubSpot refused updating account {ACME} (companies) with 400 VALIDATION_ERROR: "
        'Property "sopbot_risk_score" does not exist (property sopbot_risk_score: check it in '
        "the mapping file, SOPBOT_HUBSPOT_MAPPING)"
    )


def test_an_unreachable_hubspot_is_worth_retrying(mapping_file: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"

    failed = failure(build(closed, mapping_file))

    assert failed.retryable
    assert str(failed) == (
        f"HubSpot could not be reached while reading account {ACME} (companies) "
        "(NewConnectionError)"
    )


def test_a_400_without_a_category_or_message_says_only_what_is_known(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    portal.fail_next(lambda request: Response("", status=400))

    failed = failure(hub)

    assert not failed.retryable
    assert str(failed) == f"HubSpot refused reading account {ACME} (companies) with 400"
