"""sopbot's fields ↔ HubSpot's properties, as the mapping says: reads turn a HubSpot record
into the fields of sopbot's result, writes turn sopbot's values into property strings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.connectors.base import ToolError
from bot.connectors.hubspot.api import Record
from bot.connectors.hubspot.mapping import RECORD_ID, FieldMap, HubSpotMapping, ObjectMap

SEPARATOR = ";"
"""How HubSpot joins the values of a multi-select property."""


def associated_ids(record: Record, object_type: str) -> list[str]:
    """The IDs of the records of ``object_type`` that HubSpot lists as associated."""
    found = (record.get("associations") or {}).get(object_type) or {}
    return [str(item["id"]) for item in found.get("results", []) if "id" in item]


def read_fields(
    kind: str, spec: ObjectMap, mapping: HubSpotMapping, record: Record
) -> dict[str, Any]:
    """The mapped fields of ``record``; a property HubSpot leaves empty is left out, so the
    result's default (or its 'missing' error) applies."""
    properties = record.get("properties") or {}
    fields: dict[str, Any] = {}
    for name, field in spec.fields.items():
        if field.association is not None:
            ids = associated_ids(record, field.association)
            value: Any = ids[0] if ids else None
        elif field.property == RECORD_ID:
            value = record.get("id") or properties.get(RECORD_ID)
        else:
            value = properties.get(str(field.property))
        if value is not None and value != "":
            fields[name] = _ours(kind, name, field, mapping, str(value))
    return fields


def _ours(kind: str, name: str, field: FieldMap, mapping: HubSpotMapping, value: str) -> Any:
    if field.list:
        return [field.from_hubspot(part.strip()) for part in value.split(SEPARATOR) if part.strip()]
    if field.owner:
        user = mapping.slack_user(value)
        if user is None:
            raise ToolError(
                f"HubSpot owner {value} (the {kind}'s {name}) has no Slack user in the "
                f"mapping: add '\"{value}\": <Slack user ID>' under owners in "
                "SOPBOT_HUBSPOT_MAPPING"
            )
        return user
    return field.from_hubspot(value)


def write_properties(
    kind: str, spec: ObjectMap, mapping: HubSpotMapping, values: dict[str, Any]
) -> dict[str, str]:
    """sopbot's ``values`` (by field name) as HubSpot properties; a field the mapping does
    not store is refused, naming the mapping key to add."""
    properties: dict[str, str] = {}
    for name, value in values.items():
        field = spec.fields.get(name)
        if field is None:
            raise ToolError(
                f"the mapping does not say where HubSpot keeps the {kind}'s '{name}': add "
                f"objects.{kind}.fields.{name} to SOPBOT_HUBSPOT_MAPPING"
            )
        if field.property is None or field.property == RECORD_ID:
            raise ToolError(
                f"the {kind}'s '{name}' cannot be changed through HubSpot (the mapping's "
                f"objects.{kind}.fields.{name} is its record ID or an association)"
            )
        properties[field.property] = _theirs(kind, name, field, mapping, value)
    return properties


def _theirs(kind: str, name: str, field: FieldMap, mapping: HubSpotMapping, value: Any) -> str:
    if value is None:
        return ""  # HubSpot's way of clearing a property
    if isinstance(value, list | tuple):
        return SEPARATOR.join(field.to_hubspot(str(item)) for item in value)
    if field.owner:
        owner = mapping.owner_id(str(value))
        if owner is None:
            raise ToolError(
                f"the Slack user {value} (the {kind}'s {name}) has no HubSpot owner in the "
                f"mapping: add '\"<HubSpot owner ID>\": {value}' under owners in "
                "SOPBOT_HUBSPOT_MAPPING"
            )
        return owner
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return field.to_hubspot(str(value))
