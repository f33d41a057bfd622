"""The HubSpot calls sopbot makes, through ``hubspot-api-client``'s CRM v3 objects, search,
properties and v4 associations APIs, answered as plain JSON.

The client's own urllib3 retries are off (a retried POST could create twice, and a retried
timeout would hide an outage from the step's retry rule); every call has the configured
timeout, every answer is read with a size cap (a refusal's body past it is dropped, its
status kept), and every fault is one ``ToolError`` (``faults``).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from hubspot import Client
from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsApiException
from hubspot.crm.objects.exceptions import ApiException as ObjectsApiException
from hubspot.crm.properties.exceptions import ApiException as PropertiesApiException
from urllib3 import BaseHTTPResponse, HTTPResponse
from urllib3.exceptions import HTTPError

from bot.connectors.base import ToolError
from bot.connectors.hubspot.faults import answer_error, broken_json, transport_error, wrong_answer

_API_ERRORS = (ObjectsApiException, AssociationsApiException, PropertiesApiException)
MAX_ANSWER_BYTES = 8 * 1024 * 1024
"""Far above any answer sopbot asks for (a record's few properties, two search results)."""
_CHUNK = 64 * 1024
TOKEN_INFO_PATH = "/oauth/v2/private-apps/get/access-token-info"

Record = dict[str, Any]


class HubSpotApi:
    """One portal, as one private app's token sees it."""

    def __init__(self, token: str, api_url: str, timeout: float) -> None:
        self.timeout = timeout
        self._token = token
        client = Client.create(access_token=token, retry=False, host=api_url.rstrip("/"))
        self._objects = client.crm.objects.basic_api
        self._search = client.crm.objects.search_api
        self._associations = client.crm.associations.v4.basic_api
        self._properties = client.crm.properties.core_api
        for api in (self._objects, self._search, self._associations, self._properties):
            rest = api.api_client.rest_client
            rest.pool_manager = _RefusalsCapped(rest.pool_manager)

    def _call(self, doing: str, send: Callable[..., Any]) -> Any:
        """Send one request and read its JSON answer; any fault as a ``ToolError``."""
        options = {"_preload_content": False, "_request_timeout": self.timeout}
        try:
            response = send(**options)
            try:
                body = _read_capped(response, doing)
            finally:
                response.release_conn()
        except _API_ERRORS as error:
            if not error.status:  # the client's word for a TLS failure: no answer at all
                raise ToolError(f"HubSpot could not be reached while {doing}: TLS failed") from None
            headers = dict(error.headers or {})
            raise answer_error(error.status, error.body, headers, doing) from None
        except (HTTPError, OSError) as error:
            raise transport_error(error, doing, self.timeout) from None
        if not body:
            return None
        try:
            return json.loads(body)
        except json.JSONDecodeError as error:
            raise broken_json(error, doing) from None

    def get(
        self,
        object_type: str,
        record_id: str,
        properties: list[str],
        associations: list[str],
        doing: str,
        *,
        id_property: str | None = None,
    ) -> Record:
        """One record, with ``properties`` and the IDs of its ``associations``."""
        extra: dict[str, Any] = {"properties": properties}
        if associations:
            extra["associations"] = associations
        if id_property is not None:
            extra["id_property"] = id_property
        return _record(
            self._call(
                doing,
                lambda **options: self._objects.get_by_id(
                    object_type, record_id, **extra, **options
                ),
            ),
            doing,
        )

    def search_equal(
        self, object_type: str, name: str, value: str, properties: list[str], doing: str
    ) -> list[Record]:
        """Records whose property ``name`` equals ``value`` (CRM search), at most two: one
        is the answer, two mean the property does not identify a record."""
        request = {
            "filterGroups": [
                {"filters": [{"propertyName": name, "operator": "EQ", "value": value}]}
            ],
            "properties": properties,
            "limit": 2,
        }
        answer = self._call(
            doing, lambda **options: self._search.do_search(object_type, request, **options)
        )
        results: list[Record] = answer.get("results", []) if isinstance(answer, dict) else []
        return results

    def update(
        self, object_type: str, record_id: str, properties: dict[str, str], doing: str
    ) -> None:
        """Set ``properties`` on one record."""
        body = {"properties": properties}
        self._call(
            doing,
            lambda **options: self._objects.update(object_type, record_id, body, **options),
        )

    def create(self, object_type: str, properties: dict[str, str], doing: str) -> Record:
        """A new record; its associations are made afterwards (``associate``)."""
        body = {"properties": properties, "associations": []}
        return _record(
            self._call(doing, lambda **options: self._objects.create(object_type, body, **options)),
            doing,
        )

    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str, doing: str) -> None:
        """Attach one record to another with HubSpot's default association (v4; doing it
        twice changes nothing)."""
        self._call(
            doing,
            lambda **options: self._associations.create_default(
                from_type, from_id, to_type, to_id, **options
            ),
        )

    def property_names(self, object_type: str, doing: str) -> set[str]:
        """The names of every property the object type has."""
        answer = self._call(
            doing, lambda **options: self._properties.get_all(object_type, **options)
        )
        results = answer.get("results", []) if isinstance(answer, dict) else []
        return {str(item.get("name")) for item in results if isinstance(item, dict)}

    def token_info(self, doing: str) -> Record:
        """The private app's token as HubSpot knows it: portal, app and granted scopes."""
        api_client = self._objects.api_client
        answer = self._call(
            doing,
            lambda **options: api_client.call_api(
                TOKEN_INFO_PATH,
                "POST",
                header_params={"Content-Type": "application/json", "Accept": "application/json"},
                body={"tokenKey": self._token},
                auth_settings=["oauth2"],
                **options,
            ),
        )
        return _record(answer, doing)


class _RefusalsCapped:
    """The client's urllib3 pool manager, but a refusal (not 2xx) comes back already read,
    with the cap: the client reads a refusal's body whole into its ``ApiException``, which
    ``_preload_content=False`` does not prevent."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    def request(self, *args: Any, **kwargs: Any) -> BaseHTTPResponse:
        response: BaseHTTPResponse = self._pool.request(*args, **kwargs)
        if 200 <= response.status <= 299:
            return response
        try:
            body = _within_cap(response)
        finally:
            response.release_conn()
        return HTTPResponse(  # read already, decoded already, maybe cut: as it is
            body=io.BytesIO(body or b""),
            headers=response.headers,
            status=response.status,
            reason=response.reason,
            preload_content=False,
            decode_content=False,
            enforce_content_length=False,
        )


def _within_cap(response: Any) -> bytes | None:
    """The body of a urllib3 response, or None (its connection dropped) as soon as it
    declares or passes ``MAX_ANSWER_BYTES``: a proxy's file is never held whole."""
    declared = str(response.headers.get("Content-Length") or "").strip()
    body = bytearray()
    if not (declared.isdigit() and int(declared) > MAX_ANSWER_BYTES):
        for chunk in response.stream(_CHUNK):
            body += chunk
            if len(body) > MAX_ANSWER_BYTES:
                break
        else:
            return bytes(body)
    response.close()
    return None


def _read_capped(response: Any, doing: str) -> bytes:
    """The body of a 2xx answer, refused past ``MAX_ANSWER_BYTES``."""
    body = _within_cap(response)
    if body is None:
        raise wrong_answer(f"HubSpot answered more than {MAX_ANSWER_BYTES:,} bytes", doing)
    return body


def _record(answer: Any, doing: str) -> Record:
    """``answer`` when it is a JSON object, as HubSpot's record answers are."""
    if not isinstance(answer, dict):
        raise wrong_answer("HubSpot's answer was not a JSON object", doing)
    return answer
