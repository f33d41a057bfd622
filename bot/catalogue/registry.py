"""The catalogue of every operation: built-in connectors plus a team's own.

A team's package registers a ``ConnectorSpec`` through the ``sopbot.connectors`` entry
point, or config names one as ``module:attribute`` (``SOPBOT_CONNECTORS``). Both are checked
by the validator and guarded at run time exactly like the built-in ones.
"""

from __future__ import annotations

import difflib
import importlib
import json
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib.metadata import entry_points

from bot.catalogue.builtin import BUILTIN_CONNECTORS
from bot.catalogue.operation import ConnectorSpec, Operation

ENTRY_POINT_GROUP = "sopbot.connectors"


class CatalogueError(Exception):
    """A connector could not be registered (bad reference, clashing name)."""


class Catalogue:
    """Operations by name, with suggestions for misspelt ones."""

    def __init__(self, connectors: Iterable[ConnectorSpec]) -> None:
        self._connectors: dict[str, ConnectorSpec] = {}
        self._operations: dict[str, Operation] = {}
        for connector in connectors:
            self.add(connector)

    def add(self, connector: ConnectorSpec) -> None:
        """Register a connector; its operations must live in its own namespace."""
        if connector.namespace in self._connectors:
            raise CatalogueError(f"connector namespace '{connector.namespace}' is registered twice")
        for operation in connector.operations:
            if operation.namespace != connector.namespace:
                raise CatalogueError(
                    f"operation '{operation.name}' is outside its connector's namespace "
                    f"'{connector.namespace}'"
                )
        self._connectors[connector.namespace] = connector
        self._operations.update((op.name, op) for op in connector.operations)

    def get(self, name: str) -> Operation | None:
        """The operation called ``name``, or None."""
        return self._operations.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._operations

    def __iter__(self) -> Iterator[Operation]:
        return iter(self._operations.values())

    @property
    def connectors(self) -> tuple[ConnectorSpec, ...]:
        """Every registered connector, in registration order."""
        return tuple(self._connectors.values())

    def suggest(self, name: str) -> str | None:
        """The closest known operation name, for 'did you mean' hints."""
        matches = difflib.get_close_matches(name, self._operations, n=1, cutoff=0.75)
        return matches[0] if matches else None


def connector_references(text: str) -> list[str]:
    """``shop.tools:SPEC, crm2.tools:SPEC`` (or a JSON list) as a list of references."""
    text = text.strip()
    if text.startswith("["):
        return [str(item) for item in json.loads(text)]
    return [part.strip() for part in text.split(",") if part.strip()]


def load_reference(reference: str) -> ConnectorSpec:
    """Import ``module:attribute`` and check that it is a ConnectorSpec."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise CatalogueError(f"'{reference}' is not of the form module:attribute")
    try:
        spec = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise CatalogueError(f"cannot load connector '{reference}': {error}") from error
    if not isinstance(spec, ConnectorSpec):
        raise CatalogueError(f"'{reference}' is a {type(spec).__name__}, not a ConnectorSpec")
    return spec


def _entry_point_connectors() -> list[ConnectorSpec]:
    return [load_reference(entry.value) for entry in entry_points(group=ENTRY_POINT_GROUP)]


@lru_cache(maxsize=8)
def build_catalogue(extra_references: tuple[str, ...] = ()) -> Catalogue:
    """The built-in connectors, the installed entry points, then those named in config."""
    connectors = [*BUILTIN_CONNECTORS, *_entry_point_connectors()]
    connectors.extend(load_reference(reference) for reference in extra_references)
    return Catalogue(connectors)
