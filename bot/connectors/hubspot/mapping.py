"""Which HubSpot object and properties hold each of sopbot's CRM records: configuration, read
from a YAML or JSON file (``SOPBOT_HUBSPOT_MAPPING``; ``mapping.yml`` beside this module is
the default) and checked at start, so a portal with its own property names needs no code.

A field is a property name (``name: dealname``) or a table: ``property`` or ``association``
(the ID of the first associated record of that object type, as a deal's company),
``values`` (sopbot's value → HubSpot's, as ticket priorities), ``owner`` (a HubSpot owner
ID, shown to sopbot as the Slack user the ``owners`` table names) and ``list``
(a multi-select property, ``a;b``, shown as a list).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.catalogue.builtin import crm
from bot.catalogue.operation import Result

RECORD_ID = "hs_object_id"
"""The property that is HubSpot's own record ID: read by ID, never searched."""

RECORDS: dict[str, type[Result]] = {
    "account": crm.Account,
    "deal": crm.Deal,
    "ticket": crm.Ticket,
    "order": crm.Order,
    "invoice": crm.Invoice,
    "claim": crm.Claim,
}
"""The records sopbot reads, by mapping key, and the result each read answers."""

ENGAGEMENTS: dict[str, tuple[str, ...]] = {
    "note": ("body", "timestamp"),
    "task": ("title", "body", "owner", "due_date", "status"),
}
"""The objects sopbot creates (and attaches to a record), with the fields it writes."""

EXTRA_FIELDS = {"account": ("risk_reason",)}
"""Fields a write stores that the record's result does not show (``crm.set_risk``'s reason)."""

COMPUTED = {"invoice": ("days_overdue",)}
"""Result fields sopbot works out itself when the mapping leaves them out."""


class MappingProblem(ValueError):
    """A mapping file that cannot be used, in one line naming the file and the key."""


class FieldMap(BaseModel):
    """Where one of sopbot's fields lives in HubSpot, and how its values translate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    property: str | None = None
    association: str | None = None
    values: dict[str, str] = Field(default_factory=dict)
    owner: bool = False
    list: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> FieldMap:
        if (self.property is None) == (self.association is None):
            raise ValueError("give exactly one of 'property' and 'association'")
        return self

    def to_hubspot(self, value: str) -> str:
        """sopbot's ``value`` as HubSpot stores it (``values`` applied)."""
        return self.values.get(value, value)

    def from_hubspot(self, value: str) -> str:
        """HubSpot's ``value`` as sopbot shows it (``values`` read backwards)."""
        return next((ours for ours, theirs in self.values.items() if theirs == value), value)


class ObjectMap(BaseModel):
    """One sopbot record kind: its HubSpot object type (``companies``, ``deals``, a custom
    object's ``p_claims`` or ``2-123456``) and its fields. ``key_property`` (notes and tasks)
    is the unique property that keeps a create's idempotency key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    object: str = Field(min_length=1)
    fields: dict[str, FieldMap]
    key_property: str = "hs_unique_creation_key"
    scopes: tuple[str, ...] | None = None

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """``name: dealname`` is short for ``name: {property: dealname}``."""
        if isinstance(value, dict):
            return {
                key: {"property": spec} if isinstance(spec, str) else spec
                for key, spec in value.items()
            }
        return value

    def properties(self) -> list[str]:
        """The HubSpot properties a read asks for."""
        return sorted({spec.property for spec in self.fields.values() if spec.property})

    def associations(self) -> list[str]:
        """The object types a read asks the associations of."""
        return sorted({spec.association for spec in self.fields.values() if spec.association})

    @property
    def id_property(self) -> str:
        """The property that holds the ID sopbot knows the record by."""
        spec = self.fields["id"]
        return spec.property or RECORD_ID

    @property
    def needed_scopes(self) -> tuple[str, ...]:
        """The private app scopes that reading and writing this object takes."""
        if self.scopes is not None:
            return self.scopes
        if self.object == "tickets":
            return ("tickets",)
        if self.object in {"notes", "tasks"}:
            return ()  # engagements ride on the scope of the record they are attached to
        standard = {"companies", "contacts", "deals", "invoices", "orders"}
        family = self.object if self.object in standard else "custom"
        return (f"crm.objects.{family}.read", f"crm.objects.{family}.write")


class HubSpotMapping(BaseModel):
    """The whole mapping: a map per record kind, and the owners table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owners: dict[str, str] = Field(
        default_factory=dict, description="HubSpot owner ID -> Slack user ID"
    )
    objects: dict[str, ObjectMap]

    @field_validator("owners", mode="before")
    @classmethod
    def _text_ids(cls, value: Any) -> Any:
        """Owner IDs are numbers in YAML unless quoted; both mean the same owner."""
        if isinstance(value, dict):
            return {str(key): str(slack) for key, slack in value.items()}
        return value

    @model_validator(mode="after")
    def _known_fields(self) -> HubSpotMapping:
        for kind, spec in self.objects.items():
            known = _known(kind)
            if known is None:
                raise ValueError(
                    f"objects.{kind}: sopbot has no CRM record '{kind}' "
                    f"(known: {', '.join([*RECORDS, *ENGAGEMENTS])})"
                )
            for name in spec.fields:
                if name not in known:
                    raise ValueError(
                        f"objects.{kind}.fields.{name}: sopbot's {kind} has no field '{name}' "
                        f"(known: {', '.join(known)})"
                    )
            missing = [name for name in _required(kind) if name not in spec.fields]
            if missing:
                raise ValueError(
                    f"objects.{kind}.fields needs '{missing[0]}' (where HubSpot keeps the "
                    f"{kind}'s {missing[0]})"
                )
        return self

    def slack_user(self, owner_id: str) -> str | None:
        """The Slack user of a HubSpot owner, or None when the table does not name one."""
        return self.owners.get(owner_id)

    def owner_id(self, slack_user: str) -> str | None:
        """The HubSpot owner of a Slack user, or None."""
        return next((owner for owner, user in self.owners.items() if user == slack_user), None)


def _known(kind: str) -> tuple[str, ...] | None:
    if kind in RECORDS:
        return (*RECORDS[kind].model_fields, *EXTRA_FIELDS.get(kind, ()))
    return ENGAGEMENTS.get(kind)


def _required(kind: str) -> tuple[str, ...]:
    if kind in RECORDS:
        fields = RECORDS[kind].model_fields
        return tuple(
            name
            for name, info in fields.items()
            if info.is_required() and name not in COMPUTED.get(kind, ())
        )
    return {"note": ("body",), "task": ("title",)}[kind]


def load_mapping(path: Path) -> HubSpotMapping:
    """The mapping in ``path``; a file that cannot be read or used is one line naming the
    file and the key to fix."""
    where = f"SOPBOT_HUBSPOT_MAPPING ({path})"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MappingProblem(f"{where}: cannot read it ({error.strerror or error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise MappingProblem(f"{where}: not YAML or JSON{line}") from None
    try:
        return HubSpotMapping.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        key = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        raise MappingProblem(
            f"{where}: {message}" if key == "" else f"{where}: {key}: {message}"
        ) from None
