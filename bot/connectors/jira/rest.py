"""Requests to Jira's REST API v2 through the client's session (its login, timeout, size cap,
no retries, and a refusal raised as ``JIRAError``), each answer handed back as the parsed
JSON it is. The client's own methods read answers into resources themselves, failing on a
wrong shape with ``KeyError`` or ``TypeError`` that could not be told from a bug of sopbot's,
so the connector asks here and reads each answer in ``replies``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import quote

from jira import JIRA
from jira.utils import json_loads


def issue_path(key: str, tail: str = "") -> str:
    """``issue/{key}{tail}`` with the key quoted whole: a key cannot reach another path."""
    return f"issue/{quote(key, safe='')}{tail}"


class JiraRest:
    """The API below ``/rest/api/2/`` of the site ``client`` is opened on."""

    def __init__(self, client: JIRA) -> None:
        self._session = client._session
        self._root = f"{client.server_url}/rest/api/2/"

    def get(self, path: str, params: Mapping[str, str | int] | None = None) -> object:
        """The answer to ``GET path``; an empty body is ``{}``."""
        return json_loads(self._session.get(self._root + path, params=params))

    def post(self, path: str, body: object) -> object:
        """The answer to ``POST path`` with ``body`` as JSON; an empty body is ``{}``."""
        return json_loads(self._session.post(self._root + path, data=json.dumps(body)))

    def put(self, path: str, body: object) -> None:
        """``PUT path`` with ``body`` as JSON; Jira answers nothing to read."""
        self._session.put(self._root + path, data=json.dumps(body))
