"""The catalogue of every operation, built-in connectors plus a team's own, and the choice
of the connector that performs each namespace.

A team's package registers a ``ConnectorSpec`` through the ``sopbot.connectors`` entry
point, or config names one as ``module:attribute`` (``SOPBOT_CONNECTORS``). Both are checked
by the validator and guarded at run time exactly like the built-in ones. Which connector
performs a namespace is configuration (``SOPBOT_CONNECTOR_<NAMESPACE>``): by default the
sandbox for the built-in namespaces and its spec's own factory for any other.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

from bot.catalogue.builtin import BUILTIN_CONNECTORS
from bot.catalogue.operation import (
    Connector,
    ConnectorFactory,
    ConnectorServices,
    ConnectorSpec,
    Operation,
)

ENTRY_POINT_GROUP = "sopbot.connectors"
CHOICE_PREFIX = "SOPBOT_CONNECTOR_"
SANDBOX = "sandbox"


class CatalogueError(Exception):
    """A connector could not be registered, chosen or started (bad reference, clashing or
    unknown name, a factory that failed); the message says which and what to change."""


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
        problems = connector.naming_problems()
        if problems:
            raise CatalogueError("; ".join(problems))
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


def _import(reference: str, what: str) -> Any:
    """The object ``module:attribute`` names."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        raise CatalogueError(f"'{reference}' is not of the form module:attribute")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise CatalogueError(f"cannot load {what} '{reference}': {error}") from error


def load_reference(reference: str) -> ConnectorSpec:
    """Import ``module:attribute`` and check that it is a ConnectorSpec."""
    spec = _import(reference, "connector")
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


@dataclass(frozen=True)
class Implementation:
    """A connector that sopbot itself provides for some built-in namespaces (the sandbox),
    chosen by its name."""

    name: str
    namespaces: tuple[str, ...]
    factory: ConnectorFactory


def choose_factories(
    catalogue: Catalogue, configured: Mapping[str, str], default: Implementation
) -> dict[str, ConnectorFactory]:
    """The factory of each namespace's connector: the one ``configured`` names (``sandbox``
    or a factory's ``module:attribute``), else ``default`` for the namespaces it performs,
    else the spec's own. A namespace with none is declared only: its calls fail."""
    known = {spec.namespace: spec for spec in catalogue.connectors}
    unknown = sorted(set(configured) - set(known))
    if unknown:
        raise CatalogueError(
            f"{CHOICE_PREFIX}{unknown[0].upper()}: no connector declares the namespace "
            f"'{unknown[0]}' (known: {', '.join(sorted(known))}); install its package or "
            "name its ConnectorSpec in SOPBOT_CONNECTORS"
        )
    chosen: dict[str, ConnectorFactory] = {}
    for namespace, spec in known.items():
        choice = configured.get(namespace)
        if choice is not None:
            chosen[namespace] = _configured_factory(namespace, choice, default)
        elif namespace in default.namespaces:
            chosen[namespace] = default.factory
        elif spec.factory is not None:
            chosen[namespace] = spec.factory
    return chosen


def _configured_factory(namespace: str, choice: str, default: Implementation) -> ConnectorFactory:
    setting = f"{CHOICE_PREFIX}{namespace.upper()}={choice}"
    if choice == default.name:
        if namespace not in default.namespaces:
            raise CatalogueError(
                f"{setting}: the {default.name} has no '{namespace}' tool (it performs "
                f"{', '.join(default.namespaces)}); name a connector factory as "
                "module:attribute, or remove the setting to use the connector's own"
            )
        return default.factory
    if ":" not in choice:
        raise CatalogueError(
            f"{setting}: write {default.name}, or name a connector factory as module:attribute"
        )
    try:
        factory = _import(choice, "connector factory")
    except CatalogueError as error:
        raise CatalogueError(f"{setting}: {error}") from error
    if not callable(factory):
        raise CatalogueError(
            f"{setting}: that is a {type(factory).__name__}, not a connector factory "
            "(a function that takes ConnectorServices and returns a connector)"
        )
    built: ConnectorFactory = factory
    return built


def open_connectors(
    factories: Mapping[str, ConnectorFactory], services: ConnectorServices
) -> dict[str, Connector]:
    """Build each connector once, for all the namespaces chosen for its factory."""
    connectors: dict[str, Connector] = {}
    for factory, namespaces in group_by_factory(factories):
        connector = _build(factory, dataclasses.replace(services, namespaces=tuple(namespaces)))
        connectors.update(dict.fromkeys(namespaces, connector))
    return connectors


def group_by_factory(
    factories: Mapping[str, ConnectorFactory],
) -> list[tuple[ConnectorFactory, list[str]]]:
    """The namespaces sharing each factory, in first-chosen order: one connector serves them."""
    groups: list[tuple[ConnectorFactory, list[str]]] = []
    for namespace, factory in factories.items():
        group = next((names for known, names in groups if known is factory), None)
        if group is None:
            groups.append((factory, [namespace]))
        else:
            group.append(namespace)
    return groups


def _build(factory: ConnectorFactory, services: ConnectorServices) -> Connector:
    """Call a factory; a team's factory that fails stops the start with one line."""
    names = ", ".join(services.namespaces)
    try:
        connector = factory(services)
    except Exception as error:  # any failure of a team's code is a start-up problem
        reason = error.args[0] if isinstance(error, KeyError) and error.args else error
        raise CatalogueError(f"the connector for {names} could not start: {reason}") from error
    if not callable(getattr(connector, "invoke", None)):
        raise CatalogueError(
            f"the connector factory for {names} returned a {type(connector).__name__}, "
            "which has no invoke method"
        )
    return connector
