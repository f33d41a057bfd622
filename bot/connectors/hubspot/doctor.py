"""``sopbot doctor`` for HubSpot: is the API reachable, the token valid, are the scopes the
mapped objects need granted, and does every mapped property exist. Reads only."""

from __future__ import annotations

from bot.catalogue.operation import Health
from bot.connectors.base import ToolError
from bot.connectors.hubspot.api import HubSpotApi
from bot.connectors.hubspot.mapping import HubSpotMapping, ObjectMap


def check(api: HubSpotApi, mapping: HubSpotMapping) -> list[Health]:
    """One line for the token, one for the scopes, one per mapped object's properties; the
    token's failure ends the check (nothing else can be asked)."""
    try:
        info = api.token_info("checking the access token")
    except ToolError as error:
        return [Health("HubSpot token", False, str(error))]
    health = [
        Health(
            "HubSpot token",
            True,
            f"valid: private app {info.get('appId', '?')} in portal {info.get('hubId', '?')}",
        ),
        _scopes(mapping, {str(scope) for scope in info.get("scopes") or []}),
    ]
    health.extend(_properties(api, kind, spec) for kind, spec in mapping.objects.items())
    return health


def _scopes(mapping: HubSpotMapping, granted: set[str]) -> Health:
    needed = sorted({scope for spec in mapping.objects.values() for scope in spec.needed_scopes})
    missing = [scope for scope in needed if scope not in granted]
    if missing:
        return Health(
            "HubSpot scopes",
            False,
            f"the private app lacks {', '.join(missing)}: add them to its scopes in HubSpot "
            "and set SOPBOT_HUBSPOT_ACCESS_TOKEN to the token it then shows",
        )
    return Health("HubSpot scopes", True, f"granted: {', '.join(needed) or 'none needed'}")


def _properties(api: HubSpotApi, kind: str, spec: ObjectMap) -> Health:
    subject = f"HubSpot {kind} ({spec.object})"
    try:
        names = api.property_names(spec.object, f"reading the properties of {spec.object}")
    except ToolError as error:
        return Health(subject, False, str(error))
    wanted = {
        field.property: f"objects.{kind}.fields.{name}"
        for name, field in spec.fields.items()
        if field.property is not None
    }
    if kind in {"note", "task"}:
        wanted[spec.key_property] = f"objects.{kind}.key_property"
    missing = [(prop, key) for prop, key in sorted(wanted.items()) if prop not in names]
    if missing:
        listed = ", ".join(f"{prop} ({key})" for prop, key in missing)
        return Health(
            subject,
            False,
            f"{spec.object} has no property {listed}: create it in HubSpot, or change that "
            "key of SOPBOT_HUBSPOT_MAPPING to a property it has",
        )
    return Health(subject, True, f"all {len(wanted)} mapped properties exist")
