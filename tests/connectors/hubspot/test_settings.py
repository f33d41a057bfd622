"""Starting the HubSpot connector: the ``SOPBOT_HUBSPOT_*`` settings and the mapping file
are checked at start, and whatever cannot be used stops it in one line naming what to fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.catalogue.registry import CatalogueError
from bot.config import Settings
from bot.connectors.hubspot.mapping import MappingProblem, load_mapping
from bot.connectors.hubspot.settings import DEFAULT_MAPPING, HubSpotSettings
from bot.harness import Harness
from storage.database import Database
from tests.connectors.hubspot.conftest import TOKEN, write_mapping

LIVE_CRM = Settings.model_construct(connector={"crm": "bot.connectors.hubspot:connect"})


def test_the_shipped_mapping_is_the_default_and_the_token_never_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOPBOT_HUBSPOT_ACCESS_TOKEN", TOKEN)

    settings = HubSpotSettings()

    assert (settings.api_url, settings.timeout, settings.mapping) == (
        "https://api.hubapi.com",
        10.0,
        DEFAULT_MAPPING,
    )
    assert TOKEN not in repr(settings)
    assert set(load_mapping(DEFAULT_MAPPING).objects) == {
        "account",
        "deal",
        "ticket",
        "invoice",
        "claim",
        "note",
        "task",
    }


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {},
            "the connector for crm could not start: SOPBOT_HUBSPOT_ACCESS_TOKEN must be set: "
            "the access token of the HubSpot private app sopbot uses",
        ),
        (
            {"SOPBOT_HUBSPOT_ACCESS_TOKEN": TOKEN, "SOPBOT_HUBSPOT_TIMEOUT": "0"},
            "the connector for crm could not start: SOPBOT_HUBSPOT_TIMEOUT: Input should be "
            "greater than 0",
        ),
        (
            {"SOPBOT_HUBSPOT_ACCESS_TOKEN": TOKEN, "SOPBOT_HUBSPOT_MAPPING": "/nonexistent.yml"},
            "the connector for crm could not start: SOPBOT_HUBSPOT_MAPPING (/nonexistent.yml): "
            "cannot read it (No such file or directory)",
        ),
    ],
    ids=["no token", "timeout", "no mapping file"],
)
def test_a_setting_that_cannot_be_used_stops_the_start_naming_it(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    message: str,
) -> None:
    for name in ("ACCESS_TOKEN", "TIMEOUT", "MAPPING", "API_URL"):
        monkeypatch.delenv(f"SOPBOT_HUBSPOT_{name}", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(CatalogueError) as refused:
        Harness.open(database, [], settings=LIVE_CRM)

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"account": {"churn_date": "sopbot_churn_date"}},
            "objects.account.fields.churn_date: sopbot's account has no field 'churn_date' "
            "(known: id, name, tier, owner, risk_score, arr, contact_email, risk_reason)",
        ),
        (
            {"claim": {"carrier": {"property": "carrier", "association": "companies"}}},
            "objects.claim.fields.carrier: give exactly one of 'property' and 'association'",
        ),
        (
            {"deal": {"stage": {"property": "dealstage", "colour": "red"}}},
            "objects.deal.fields.stage.colour: Extra inputs are not permitted",
        ),
    ],
    ids=["unknown field", "two sources", "unknown key"],
)
def test_a_mapping_sopbot_cannot_use_is_one_line_naming_the_key(
    tmp_path: Path, change: dict[str, Any], problem: str
) -> None:
    path = write_mapping(tmp_path, change)

    with pytest.raises(MappingProblem) as refused:
        load_mapping(path)

    assert str(refused.value) == f"SOPBOT_HUBSPOT_MAPPING ({path}): {problem}"


def test_a_record_without_its_id_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mapping.json"
    path.write_text('{"objects": {"deal": {"object": "deals", "fields": {"name": "dealname"}}}}')

    with pytest.raises(MappingProblem) as refused:
        load_mapping(path)

    assert str(refused.value) == (
        f"SOPBOT_HUBSPOT_MAPPING ({path}): objects.deal.fields needs 'id' (where HubSpot keeps "
        "the deal's id)"
    )
