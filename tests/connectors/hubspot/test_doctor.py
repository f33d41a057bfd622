"""``sopbot doctor`` on HubSpot: the connector says whether the token works, whether the
private app has the scopes the mapped objects need, and whether each mapped property exists,
naming what to fix when not."""

from __future__ import annotations

from bot.catalogue.operation import Health, SelfChecking
from bot.connectors.hubspot.connector import HubSpotConnector
from tests.connectors.hubspot.fake_hubspot import FakeHubSpot


def by_subject(health: list[Health]) -> dict[str, Health]:
    return {line.subject: line for line in health}


def test_a_healthy_portal_passes_every_check_and_changes_nothing(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    assert isinstance(hub, SelfChecking)

    health = hub.check()

    assert all(line.ok for line in health), [line for line in health if not line.ok]
    lines = by_subject(health)
    assert lines["HubSpot token"].detail == "valid: private app 1717 in portal 4242"
    assert lines["HubSpot claim (p_freight_claims)"].detail == "all 6 mapped properties exist"
    assert {method for method, path, _ in portal.requests if "/crm/" in path} == {"GET"}


def test_a_missing_scope_and_a_missing_property_are_named(
    hub: HubSpotConnector, portal: FakeHubSpot
) -> None:
    portal.scopes.discard("crm.objects.deals.write")
    portal.types["companies"].properties.discard("sopbot_tier")

    lines = by_subject(hub.check())

    assert lines["HubSpot scopes"] == Health(
        "HubSpot scopes",
        False,
        "the private app lacks crm.objects.deals.write: add them to its scopes in HubSpot and "
        "set SOPBOT_HUBSPOT_ACCESS_TOKEN to the token it then shows",
    )
    assert lines["HubSpot account (companies)"] == Health(
        "HubSpot account (companies)",
        False,
        "companies has no property sopbot_tier (objects.account.fields.tier): create it in "
        "HubSpot, or change that key of SOPBOT_HUBSPOT_MAPPING to a property it has",
    )
    assert lines["HubSpot deal (deals)"].ok


def test_a_refused_token_is_the_one_finding(hub: HubSpotConnector, portal: FakeHubSpot) -> None:
    portal.token = "pat-na1-revoked"

    (line,) = hub.check()

    assert (line.subject, line.ok) == ("HubSpot token", False)
    assert "check SOPBOT_HUBSPOT_ACCESS_TOKEN" in line.detail
