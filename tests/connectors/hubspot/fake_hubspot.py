"""A small, stateful HubSpot CRM on pytest-httpserver that speaks HubSpot's wire format:
CRM v3 objects (read by ID or by a unique ``idProperty``, create, update, search), v4
default associations, the properties API and the private-app token info. It checks the
bearer token and the private app's scopes and answers errors as HubSpot does (``status``,
``message``, ``category``, ``errors[].context``). ``fail_next`` queues faults: an answer of
the test's choosing, or a handler that hangs until the test releases it."""

from __future__ import annotations

import itertools
import json
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

Handler = Callable[[Request], Response]

STANDARD_SCOPES = {
    "companies": "crm.objects.companies",
    "contacts": "crm.objects.contacts",
    "deals": "crm.objects.deals",
    "invoices": "crm.objects.invoices",
}
OBJECT = re.compile(r"/crm/v3/objects/(?P<type>[^/]+)(?:/(?P<id>[^/]+))?$")
ASSOCIATE = re.compile(
    r"/crm/v4/objects/(?P<type>[^/]+)/(?P<id>[^/]+)/associations/default/(?P<to>[^/]+)/(?P<to_id>[^/]+)$"
)
PROPERTIES = re.compile(r"/crm/v3/properties/(?P<type>[^/]+)$")


def error(status: int, message: str, category: str, **extra: Any) -> Response:
    """An error answer in HubSpot's shape."""
    body = {"status": "error", "message": message, "correlationId": "c0ffee", "category": category}
    return Response(json.dumps({**body, **extra}), status, content_type="application/json")


def answer(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status, content_type="application/json;charset=utf-8")


@dataclass
class ObjectType:
    """One object type's schema (property names; the unique ones) and records."""

    properties: set[str]
    unique: set[str] = field(default_factory=set)
    records: dict[str, dict[str, str]] = field(default_factory=dict)


class FakeHubSpot:
    """The portal: object types, associations, the token and its scopes."""

    def __init__(self, server: HTTPServer, token: str) -> None:
        self.token = token
        self.types: dict[str, ObjectType] = {}
        self.associations: set[tuple[str, str, str, str]] = set()
        self.scopes: set[str] = set()
        self.faults: deque[Handler] = deque()
        self.requests: list[tuple[str, str, Any]] = []
        self._ids = itertools.count(9001)
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    # -- set-up ---------------------------------------------------------------------------

    def define(
        self, object_type: str, properties: set[str], unique: set[str] = frozenset()
    ) -> None:
        """Add an object type; every type has HubSpot's own ``hs_object_id``."""
        self.types[object_type] = ObjectType({"hs_object_id", *properties}, set(unique))
        family = STANDARD_SCOPES.get(object_type)
        if object_type == "tickets":
            self.scopes.add("tickets")
        elif family is not None or object_type.startswith("p_"):
            family = family or "crm.objects.custom"
            self.scopes.update({f"{family}.read", f"{family}.write"})

    def add(self, object_type: str, record_id: str, **properties: Any) -> str:
        self.types[object_type].records[record_id] = {
            name: _text(value) for name, value in properties.items()
        }
        return record_id

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> None:
        self.associations.add((from_type, from_id, to_type, to_id))
        self.associations.add((to_type, to_id, from_type, from_id))

    def fail_next(self, handler: Handler, times: int = 1) -> None:
        """The next ``times`` requests get ``handler``'s answer instead of the portal's."""
        self.faults.extend([handler] * times)

    def records(self, object_type: str) -> dict[str, dict[str, str]]:
        return self.types[object_type].records

    def attached(self, from_type: str, from_id: str, to_type: str) -> list[str]:
        return sorted(
            to_id
            for (kind, record, other, to_id) in self.associations
            if (kind, record, other) == (from_type, from_id, to_type)
        )

    # -- the API --------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        body = request.get_json(silent=True) if request.data else None
        self.requests.append((request.method, request.path, body))
        if self.faults:
            return self.faults.popleft()(request)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return error(
                401,
                "Authentication credentials not found. This API supports OAuth 2.0 "
                "authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                "INVALID_AUTHENTICATION",
            )
        path = request.path
        if path == "/oauth/v2/private-apps/get/access-token-info" and request.method == "POST":
            if (body or {}).get("tokenKey") != self.token:
                return error(401, "The token is not valid", "INVALID_AUTHENTICATION")
            return answer(
                {"userId": 7, "hubId": 4242, "appId": 1717, "scopes": sorted(self.scopes)}
            )
        if match := PROPERTIES.fullmatch(path):
            return self._properties(match["type"])
        if match := ASSOCIATE.fullmatch(path):
            return self._associate(request, match)
        if path.endswith("/search") and request.method == "POST":
            return self._search(path.split("/")[-2], body or {})
        if match := OBJECT.fullmatch(path):
            return self._object(request, match["type"], match["id"], body)
        return error(404, f"No route for {request.method} {path}", "OBJECT_NOT_FOUND")

    def _scope(self, object_type: str, write: bool) -> Response | None:
        if object_type in {"notes", "tasks"}:
            return None
        if object_type == "tickets":
            needed = "tickets"
        else:
            family = STANDARD_SCOPES.get(object_type, "crm.objects.custom")
            needed = f"{family}.{'write' if write else 'read'}"
        if needed in self.scopes:
            return None
        return error(
            403,
            "This app hasn't been granted all required scopes to make this call. Read more "
            "about required scopes here: https://developers.hubspot.com/scopes.",
            "MISSING_SCOPES",
            errors=[
                {
                    "message": "One or more of the following scopes are required.",
                    "context": {"requiredGranularScopes": [needed]},
                }
            ],
        )

    def _type(self, object_type: str) -> ObjectType | Response:
        known = self.types.get(object_type)
        if known is None:
            return error(
                400, f"Unable to infer object type from: {object_type}", "VALIDATION_ERROR"
            )
        return known

    def _object(
        self, request: Request, object_type: str, record_id: str | None, body: Any
    ) -> Response:
        kind = self._type(object_type)
        if isinstance(kind, Response):
            return kind
        refused = self._scope(object_type, write=request.method != "GET")
        if refused is not None:
            return refused
        if request.method == "POST" and record_id is None:
            return self._create(object_type, kind, body or {})
        if record_id is None:
            return error(405, "Method not allowed", "VALIDATION_ERROR")
        id_property = request.args.get("idProperty")
        if id_property:
            record_id = next(
                (rid for rid, props in kind.records.items() if props.get(id_property) == record_id),
                "",
            )
        if record_id not in kind.records:
            return error(404, "resource not found", "OBJECT_NOT_FOUND")
        if request.method == "PATCH":
            problem = self._invalid(kind, (body or {}).get("properties", {}))
            if problem is not None:
                return problem
            kind.records[record_id].update((body or {})["properties"])
        wanted = _listed(request.args, "properties")
        shown = self._shown(object_type, record_id, wanted)
        associations = _listed(request.args, "associations")
        if associations and request.method == "GET":
            shown["associations"] = {
                other: {
                    "results": [
                        {"id": to_id, "type": f"{object_type}_to_{other}"}
                        for to_id in self.attached(object_type, record_id, other)
                    ]
                }
                for other in associations
                if self.attached(object_type, record_id, other)
            }
        return answer(shown)

    def _shown(self, object_type: str, record_id: str, wanted: list[str]) -> dict[str, Any]:
        stored = self.types[object_type].records[record_id]
        properties = {
            name: stored.get(name) for name in wanted if name in self.types[object_type].properties
        }
        properties["hs_object_id"] = record_id
        return {
            "id": record_id,
            "properties": properties,
            "createdAt": "2026-11-01T09:00:00.000Z",
            "updatedAt": "2026-11-20T09:00:00.000Z",
            "archived": False,
        }

    def _invalid(self, kind: ObjectType, properties: dict[str, Any]) -> Response | None:
        unknown = sorted(name for name in properties if name not in kind.properties)
        if not unknown:
            return None
        return error(
            400,
            "Property values were not valid: " + json.dumps([{"name": name} for name in unknown]),
            "VALIDATION_ERROR",
            errors=[
                {
                    "message": f'Property "{name}" does not exist',
                    "code": "PROPERTY_DOESNT_EXIST",
                    "context": {"propertyName": [name]},
                }
                for name in unknown
            ],
        )

    def _create(self, object_type: str, kind: ObjectType, body: dict[str, Any]) -> Response:
        properties = body.get("properties", {})
        problem = self._invalid(kind, properties)
        if problem is not None:
            return problem
        for name in kind.unique & set(properties):
            holder = next(
                (rid for rid, p in kind.records.items() if p.get(name) == properties[name]), None
            )
            if holder is not None:
                return error(
                    409,
                    f"A {object_type} with {name} {properties[name]} already exists. Existing ID: {holder}",
                    "CONFLICT",
                )
        record_id = str(next(self._ids))
        kind.records[record_id] = {name: _text(value) for name, value in properties.items()}
        return answer(self._shown(object_type, record_id, list(properties)), 201)

    def _search(self, object_type: str, body: dict[str, Any]) -> Response:
        kind = self._type(object_type)
        if isinstance(kind, Response):
            return kind
        refused = self._scope(object_type, write=False)
        if refused is not None:
            return refused
        (group,) = body["filterGroups"]
        found = [
            record_id
            for record_id, properties in kind.records.items()
            if all(
                f["operator"] == "EQ" and properties.get(f["propertyName"]) == f["value"]
                for f in group["filters"]
            )
        ]
        wanted = body.get("properties", [])
        limit = int(body.get("limit", 10))
        results = [self._shown(object_type, record_id, wanted) for record_id in found[:limit]]
        return answer({"total": len(found), "results": results})

    def _associate(self, request: Request, match: re.Match[str]) -> Response:
        if request.method != "PUT":
            return error(405, "Method not allowed", "VALIDATION_ERROR")
        for object_type, record_id in ((match["type"], match["id"]), (match["to"], match["to_id"])):
            kind = self._type(object_type)
            if isinstance(kind, Response):
                return kind
            if record_id not in kind.records:
                return error(404, f"No {object_type} {record_id}", "OBJECT_NOT_FOUND")
        self.associate(match["type"], match["id"], match["to"], match["to_id"])
        return answer(
            {
                "status": "COMPLETE",
                "results": [
                    {
                        "from": {"id": match["id"]},
                        "to": {"id": match["to_id"]},
                        "associationSpec": {
                            "associationCategory": "HUBSPOT_DEFINED",
                            "associationTypeId": 1,
                        },
                    }
                ],
                "startedAt": "2026-11-23T09:00:00.000Z",
                "completedAt": "2026-11-23T09:00:00.010Z",
            }
        )

    def _properties(self, object_type: str) -> Response:
        kind = self._type(object_type)
        if isinstance(kind, Response):
            return kind
        return answer(
            {
                "results": [
                    {
                        "name": name,
                        "label": name.replace("_", " ").title(),
                        "type": "string",
                        "fieldType": "text",
                        "hasUniqueValue": name in kind.unique,
                    }
                    for name in sorted(kind.properties)
                ]
            }
        )


def _listed(args: Any, name: str) -> list[str]:
    """A query list as the client sends it: repeated (``multi``) or comma separated."""
    return [part for value in args.getlist(name) for part in value.split(",") if part]


def _text(value: Any) -> str:
    """A property value as HubSpot stores and answers it: text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
