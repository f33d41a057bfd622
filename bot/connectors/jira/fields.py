"""Fields by the name Jira shows ("Severity"), as an SOP writes them, turned into the ids
Jira's API takes ("customfield_10010") through ``/rest/api/2/field``.

The list is read once per process, and once more when a name is not in it (an admin may
have just added the field). A name two fields share is refused: the SOP gives the id.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable, Mapping
from typing import Any

from bot.connectors.base import ToolError


class FieldNames:
    """Field ids by lower-cased name, and names by id for error messages."""

    def __init__(self, load: Callable[[], list[tuple[str, str]]]) -> None:
        """``load`` reads ``/rest/api/2/field``: each field's id and the name Jira shows."""
        self._load = load
        self._lock = threading.Lock()
        self._ids: dict[str, list[str]] | None = None
        self._names: dict[str, str] = {}

    def resolved(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` keyed by field id instead of name (an id is taken as it is)."""
        return {self._id(name): value for name, value in values.items()}

    def label(self, field_id: str) -> str:
        """``Severity (customfield_10010)`` when the name is known, else the id."""
        name = self._names.get(field_id)
        return f"{name} ({field_id})" if name and name != field_id else field_id

    def _id(self, name: str) -> str:
        ids = self._lookup(name, reload=False) or self._lookup(name, reload=True)
        if len(ids) == 1:
            return ids[0]
        if ids:
            raise ToolError(
                f"Jira has {len(ids)} fields named '{name}' ({', '.join(ids)}): write the id "
                "of the one you mean in custom_fields"
            )
        known = difflib.get_close_matches(name, list(self._names.values()), n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(known)}?)" if known else ""
        raise ToolError(
            f"Jira has no field named '{name}'{hint}: custom_fields takes the names Jira shows "
            "on the issue screen, or field ids"
        )

    def _lookup(self, name: str, *, reload: bool) -> list[str]:
        with self._lock:
            if self._ids is None or reload:
                self._read()
            assert self._ids is not None
            if name in self._names:
                return [name]
            return self._ids.get(name.strip().casefold(), [])

    def _read(self) -> None:
        ids: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for field_id, name in self._load():
            names[field_id] = name
            ids.setdefault(name.casefold(), []).append(field_id)
        self._ids, self._names = ids, names
