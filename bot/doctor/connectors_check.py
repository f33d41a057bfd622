"""Can each namespace's chosen connector be built, and does it pass its own checks?"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from bot.catalogue.operation import ConnectorFactory, ConnectorServices, SelfChecking
from bot.catalogue.registry import (
    CHOICE_PREFIX,
    SANDBOX,
    Catalogue,
    CatalogueError,
    Implementation,
    choose_factories,
    group_by_factory,
    open_connectors,
)
from bot.connectors.sandbox.tools import SandboxTools
from bot.doctor.findings import Finding, fail, ok, warn


def _not_built(_services: ConnectorServices) -> SandboxTools:
    raise AssertionError("the doctor never builds the sandbox: it needs no checking")


def check_connectors(
    catalogue: Catalogue,
    configured: Mapping[str, str],
    secrets: Mapping[str, str],
    now: Callable[[], dt.datetime],
    live: Mapping[str, ConnectorFactory],
) -> list[Finding]:
    """A finding per connector built (namespaces sharing one are checked once), and one per
    namespace that nothing performs. ``live``: the connectors a chat surface brings, which
    replace the chosen ones as they do in a running sopbot (``bot.wiring.live_connectors``)."""
    try:
        factories = choose_factories(
            catalogue, configured, Implementation(SANDBOX, SandboxTools.namespaces, _not_built)
        )
    except CatalogueError as error:
        return [fail("connectors", str(error))]
    factories.update(live)
    findings = [
        warn(
            spec.namespace,
            f"declared only, nothing performs it: its calls fail; choose a connector with "
            f"{CHOICE_PREFIX}{spec.namespace.upper()}",
        )
        for spec in catalogue.connectors
        if spec.namespace not in factories
    ]
    services = ConnectorServices((), now, secrets)
    for factory, namespaces in group_by_factory(factories):
        findings.extend(_check(factory, namespaces, services))
    return findings


def _check(
    factory: ConnectorFactory, namespaces: list[str], services: ConnectorServices
) -> list[Finding]:
    names = ", ".join(namespaces)
    if factory is _not_built:
        return [ok(names, "the sandbox: demo tools, no real calls")]
    try:
        connector = open_connectors(dict.fromkeys(namespaces, factory), services)[namespaces[0]]
    except CatalogueError as error:
        return [fail(names, str(error))]
    if not isinstance(connector, SelfChecking):
        return [ok(names, f"{type(connector).__name__} built; no self-check")]
    try:
        found = connector.check()
    except Exception as error:  # a connector's bug is a finding, not a crash of the doctor
        return [fail(names, f"its check raised {type(error).__name__}: {error}")]
    return [Finding.of(health, names) for health in found] or [
        ok(names, f"{type(connector).__name__} built; its check found nothing to check")
    ]
