"""The ``crm.*`` operations on HubSpot: each reads or writes the HubSpot object and
properties the mapping names, so a procedure does not care which CRM is connected.

Records are found by HubSpot's record ID when the mapping's ``id`` is ``hs_object_id``, else
by a CRM search on the ID property. Notes and tasks are created once per idempotency key:
the key is stored in the mapping's ``key_property`` (a unique property) and looked up before
a create, so a call repeated after a crash finds the first note instead of adding a second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from bot.catalogue.builtin import crm
from bot.catalogue.operation import Args, Health, Operation
from bot.connectors.base import ToolError
from bot.connectors.hubspot.api import HubSpotApi, Record
from bot.connectors.hubspot.doctor import check
from bot.connectors.hubspot.faults import Conflict, NotFound
from bot.connectors.hubspot.mapping import RECORD_ID, HubSpotMapping, ObjectMap
from bot.connectors.hubspot.records import read_fields, write_properties

MAPPING_SETTING = "SOPBOT_HUBSPOT_MAPPING"
UNSUPPORTED = {
    "crm.refund": "HubSpot keeps no payments to refund",
    "crm.get_metrics": "HubSpot's KPIs live in its reports, which have no CRM API",
}


class HubSpotConnector:
    """Performs ``crm.*`` against one HubSpot portal, as the mapping describes it."""

    def __init__(
        self, api: HubSpotApi, mapping: HubSpotMapping, *, now: Callable[[], dt.datetime]
    ) -> None:
        self.api = api
        self.mapping = mapping
        self._now = now

    def invoke(
        self, operation: Operation, arguments: dict[str, Any], *, idempotency_key: str | None = None
    ) -> Any:
        """Perform one ``crm.*`` call; the result has the shape the catalogue declares."""
        handler = _HANDLERS.get(operation.name)
        if handler is None:
            why = UNSUPPORTED.get(operation.name, "it is not a crm operation")
            raise ToolError(f"the HubSpot connector does not perform {operation.name}: {why}")
        return handler(self, operation, operation.args.model_validate(arguments), idempotency_key)

    def check(self) -> list[Health]:
        """``sopbot doctor``: HubSpot reachable, the token valid, its scopes enough for the
        mapped objects, and every mapped property present."""
        return check(self.api, self.mapping)

    # -- records ------------------------------------------------------------------------

    def _object(self, kind: str, operation: Operation) -> ObjectMap:
        spec = self.mapping.objects.get(kind)
        if spec is None:
            raise ToolError(
                f"{operation.name} needs to know which HubSpot object keeps sopbot's {kind}s: "
                f"add objects.{kind} to the mapping file ({MAPPING_SETTING})"
            )
        return spec

    def _find(self, kind: str, spec: ObjectMap, sopbot_id: str) -> Record:
        """The record sopbot knows as ``sopbot_id``, with its mapped properties and
        associations."""
        doing = f"reading {kind} {sopbot_id} ({spec.object})"
        properties, associations = spec.properties(), spec.associations()
        if spec.id_property == RECORD_ID:
            try:
                return self.api.get(spec.object, sopbot_id, properties, associations, doing)
            except NotFound:
                raise ToolError(f"HubSpot has no {kind} {sopbot_id} ({spec.object})") from None
        found = self.api.search_equal(spec.object, spec.id_property, sopbot_id, properties, doing)
        if not found:
            raise ToolError(
                f"HubSpot has no {kind} {sopbot_id} ({spec.object} whose {spec.id_property} "
                f"is {sopbot_id})"
            )
        if len(found) > 1:
            raise ToolError(
                f"HubSpot has several {kind}s whose {spec.id_property} is {sopbot_id}: make "
                f"the property unique, or map objects.{kind}.fields.id to another one"
            )
        if not associations:
            return found[0]
        return self.api.get(spec.object, str(found[0]["id"]), properties, associations, doing)

    def _read(self, kind: str, operation: Operation, sopbot_id: str) -> dict[str, Any]:
        """The result sopbot shows of one record."""
        spec = self._object(kind, operation)
        return self._shape(kind, spec, operation, sopbot_id, self._find(kind, spec, sopbot_id))

    def _shape(
        self, kind: str, spec: ObjectMap, operation: Operation, sopbot_id: str, record: Record
    ) -> dict[str, Any]:
        """``record`` as the operation's result; a record the result cannot hold is refused,
        naming the mapping key to check."""
        fields = read_fields(kind, spec, self.mapping, record)
        if kind == "invoice" and "days_overdue" not in fields:
            fields["days_overdue"] = self._days_overdue(fields)
        try:
            result = operation.result.model_validate(fields)
        except ValidationError as error:
            problem = error.errors()[0]
            name = ".".join(str(part) for part in problem["loc"])
            raise ToolError(
                f"HubSpot's {kind} {sopbot_id} does not fit sopbot's {kind}: '{name}': "
                f"{problem['msg']} (check objects.{kind}.fields.{name} in {MAPPING_SETTING})"
            ) from None
        shown: dict[str, Any] = result.model_dump(mode="json")
        return shown

    def _days_overdue(self, fields: dict[str, Any]) -> int:
        """Days past the due date of an open invoice, as the sandbox counts them."""
        due = str(fields.get("due_date", ""))[:10]
        if fields.get("status") != "open" or not due:
            return 0
        try:
            return max((self._now().date() - dt.date.fromisoformat(due)).days, 0)
        except ValueError:
            return 0

    def _update(
        self, kind: str, operation: Operation, sopbot_id: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        """Write ``values`` to one record and answer the record as it is now."""
        spec = self._object(kind, operation)
        properties = write_properties(kind, spec, self.mapping, values)
        record_id = str(self._find(kind, spec, sopbot_id)["id"])
        if properties:
            doing = f"updating {kind} {sopbot_id} ({spec.object})"
            self.api.update(spec.object, record_id, properties, doing)
        doing = f"reading {kind} {sopbot_id} ({spec.object})"
        record = self.api.get(spec.object, record_id, spec.properties(), spec.associations(), doing)
        return self._shape(kind, spec, operation, sopbot_id, record)

    # -- notes and tasks ------------------------------------------------------------------

    def _create_once(
        self, kind: str, spec: ObjectMap, properties: dict[str, str], key: str | None, doing: str
    ) -> str:
        """The ID of the record made for ``key``: the one made before, else a new one."""
        if key is not None:
            earlier = self._made_for(spec, key, doing)
            if earlier is not None:
                return earlier
            properties = {**properties, spec.key_property: key}
        try:
            return str(self.api.create(spec.object, properties, doing)["id"])
        except Conflict:
            earlier = self._made_for(spec, key, doing) if key is not None else None
            if earlier is None:
                raise
            return earlier  # made by a call that ran at the same time

    def _made_for(self, spec: ObjectMap, key: str, doing: str) -> str | None:
        try:
            record = self.api.get(spec.object, key, [], [], doing, id_property=spec.key_property)
        except NotFound:
            return None
        return str(record["id"])

    def _attach(
        self,
        kind: str,
        operation: Operation,
        values: dict[str, Any],
        target_kind: str,
        target_id: str,
        key: str | None,
    ) -> str:
        """Create a note or task (once per ``key``) attached to a record; its ID."""
        spec = self._object(kind, operation)
        target = self._object(target_kind, operation)
        properties = write_properties(kind, spec, self.mapping, values)
        record_id = str(self._find(target_kind, target, target_id)["id"])
        doing = f"adding a {kind} to {target_kind} {target_id} ({spec.object})"
        made = self._create_once(kind, spec, properties, key, doing)
        self.api.associate(
            spec.object,
            made,
            target.object,
            record_id,
            f"attaching {kind} {made} to {target_kind} {target_id} (v4 associations)",
        )
        return made

    def _stamp(self, spec: ObjectMap, values: dict[str, Any], name: str, moment: Any) -> None:
        """Add an optional field only when the mapping stores it."""
        if name in spec.fields:
            values[name] = moment


_Handler = Callable[[HubSpotConnector, Operation, Any, str | None], Any]


def _reader(kind: str, argument: str) -> _Handler:
    def read(hub: HubSpotConnector, operation: Operation, args: Args, key: str | None) -> Any:
        return hub._read(kind, operation, str(getattr(args, argument)))

    return read


def _update_deal(
    hub: HubSpotConnector, operation: Operation, args: crm.UpdateDealArgs, key: str | None
) -> Any:
    values = dict(args.fields)
    if args.stage is not None:
        values["stage"] = args.stage
    return hub._update("deal", operation, args.deal_id, values)


def _update_ticket(
    hub: HubSpotConnector, operation: Operation, args: crm.UpdateTicketArgs, key: str | None
) -> Any:
    values = args.model_dump(exclude={"ticket_id"}, exclude_none=True)
    return hub._update("ticket", operation, args.ticket_id, values)


def _set_risk(
    hub: HubSpotConnector, operation: Operation, args: crm.SetRiskArgs, key: str | None
) -> Any:
    values: dict[str, Any] = {"risk_score": args.score}
    hub._stamp(hub._object("account", operation), values, "risk_reason", args.reason)
    return hub._update("account", operation, args.account_id, values)


def _update_claim(
    hub: HubSpotConnector, operation: Operation, args: crm.UpdateClaimArgs, key: str | None
) -> Any:
    return hub._update("claim", operation, args.claim_id, {"status": args.status})


def _add_note(
    hub: HubSpotConnector, operation: Operation, args: crm.AddNoteArgs, key: str | None
) -> Any:
    values: dict[str, Any] = {"body": args.body}
    hub._stamp(hub._object("note", operation), values, "timestamp", hub._now())
    made = hub._attach("note", operation, values, args.object_type, args.object_id, key)
    return crm.NoteRef(id=made).model_dump()


def _create_task(
    hub: HubSpotConnector, operation: Operation, args: crm.CreateTaskArgs, key: str | None
) -> Any:
    spec = hub._object("task", operation)
    values: dict[str, Any] = {"title": args.title, "owner": args.owner}
    hub._stamp(spec, values, "due_date", hub._now() + dt.timedelta(days=args.due_in_days))
    hub._stamp(spec, values, "status", "open")
    made = hub._attach("task", operation, values, "account", args.account_id, key)
    return crm.TaskRef(id=made).model_dump()


_HANDLERS: dict[str, _Handler] = {
    "crm.get_account": _reader("account", "account_id"),
    "crm.get_deal": _reader("deal", "deal_id"),
    "crm.get_ticket": _reader("ticket", "ticket_id"),
    "crm.get_order": _reader("order", "order_id"),
    "crm.get_invoice": _reader("invoice", "invoice_id"),
    "crm.get_claim": _reader("claim", "claim_id"),
    "crm.update_deal": _update_deal,
    "crm.update_ticket": _update_ticket,
    "crm.set_risk": _set_risk,
    "crm.update_claim": _update_claim,
    "crm.add_note": _add_note,
    "crm.create_task": _create_task,
}
