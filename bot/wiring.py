"""The one place a running sopbot is assembled: database, SOP library, catalogue, a connector
per namespace, chat, directory, clock, secrets, runtime and engine.

The console, the worker, the scenario runner and the tests (and Slack, next) pass what
differs (their chat adapter, their clock, settings, the procedures a test serves) and
drive the same parts, so each of them exercises the real ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.catalogue.operation import ConnectorFactory, ConnectorServices
from bot.catalogue.registry import (
    SANDBOX,
    Catalogue,
    Implementation,
    build_catalogue,
    choose_factories,
    open_connectors,
)
from bot.chat.port import ChatPort
from bot.clock.time import Clock
from bot.config import Settings
from bot.connectors.sandbox.people import SandboxDirectory
from bot.connectors.sandbox.seed import seed
from bot.connectors.sandbox.tools import SandboxTools
from bot.connectors.slack import NAMESPACE as SLACK
from bot.connectors.slack import live_on
from bot.directory import Directory
from bot.engine.engine import Engine
from bot.engine.lanes import Lanes
from bot.engine.runtime import Runtime, default_worker_id
from bot.library import Library
from bot.llm.models import Models
from bot.procedure.loader import LoadedSop
from bot.secrets import Secrets, Vault
from storage.database import Database

ChatFor = Callable[[Database, Directory], ChatPort]
"""Builds a surface's chat port once the database and the directory of people exist."""


@dataclass
class Sopbot:
    """A running sopbot: the engine and the parts its entry point drives directly."""

    settings: Settings
    database: Database
    clock: Clock
    chat: ChatPort
    directory: SandboxDirectory
    sandbox: SandboxTools
    engine: Engine

    @property
    def runtime(self) -> Runtime:
        """What the engine's parts share."""
        return self.engine.runtime


def open_database(settings: Settings) -> Database:
    """The database at ``settings.database_url``, migrated to the current schema."""
    database = Database(settings.database_url)
    database.upgrade()
    return database


def assemble(
    settings: Settings,
    *,
    clock: Clock,
    chat: ChatFor,
    database: Database | None = None,
    procedures: Sequence[LoadedSop] | None = None,
    secrets: Mapping[str, str] | None = None,
    schedules: bool = True,
    directory: Directory | None = None,
    models: Models | None = None,
) -> Sopbot:
    """A running sopbot on ``settings``.

    ``database``: an open, migrated one (default: ``settings.database_url``, opened and
    migrated here, and disposed again if the start fails). ``procedures``: validated files
    to serve instead of ``settings.sops_dir``. ``secrets``: what ``{{ secrets.* }}`` reads
    instead of ``SOPBOT_SECRET_*`` (connectors keep the configured ones for credentials).
    ``schedules``: arm the schedule triggers now (a test clock arms them when it says).
    ``directory``: the people the engine and the chat ask (Slack's); default the sandbox's
    seeded people, which ``Sopbot.directory`` keeps either way for the console and tests.
    ``models``: model access for the agent steps (default: as ``SOPBOT_LLM_*`` configure it).
    Raises ``CatalogueError`` for a connector that cannot be registered, chosen or started.
    """
    catalogue = build_catalogue(tuple(settings.connectors))
    owned = database is None
    database = open_database(settings) if database is None else database
    try:
        return _assemble(
            settings,
            catalogue,
            database,
            clock,
            chat,
            procedures,
            secrets,
            schedules=schedules,
            directory=directory,
            models=models,
        )
    except BaseException:
        if owned:
            database.dispose()
        raise


def live_connectors(settings: Settings, surface: object) -> dict[str, ConnectorFactory]:
    """The connectors that act through the chat ``surface`` itself: with Slack connected,
    ``slack.*`` in the workspace through the surface's client, unless a setting chooses
    another (``SOPBOT_CONNECTOR_SLACK``)."""
    if not settings.slack_enabled or SLACK in settings.connector:
        return {}
    live_slack = live_on(surface)
    return {} if live_slack is None else {SLACK: live_slack}


def _assemble(
    settings: Settings,
    catalogue: Catalogue,
    database: Database,
    clock: Clock,
    chat: ChatFor,
    procedures: Sequence[LoadedSop] | None,
    secrets: Mapping[str, str] | None,
    *,
    schedules: bool,
    directory: Directory | None,
    models: Models | None,
) -> Sopbot:
    seed(database, clock.now())
    sandbox_people = SandboxDirectory(database)
    people = sandbox_people if directory is None else directory
    sandbox = SandboxTools(database, clock.now)
    vault = Vault.for_database(database.url, settings.secrets_key_text)
    configured = Secrets(vault=vault)
    factories = choose_factories(
        catalogue,
        settings.connector,
        Implementation(SANDBOX, sandbox.namespaces, lambda _services: sandbox),
    )
    surface = chat(database, people)
    factories.update(live_connectors(settings, surface))
    connectors = open_connectors(factories, ConnectorServices((), clock.now, configured))
    library = (
        Library.serve(list(procedures), database, now=clock.now())
        if procedures is not None
        else Library.load(settings.sops_dir, database, now=clock.now(), catalogue=catalogue)
    )
    runtime = Runtime(
        database=database,
        library=library,
        catalogue=catalogue,
        connectors=connectors,
        chat=surface,
        directory=people,
        clock=clock,
        secrets=configured if secrets is None else Secrets(secrets, vault=vault),
        worker_id=settings.worker_id or default_worker_id(),
        lease=dt.timedelta(seconds=settings.lease_seconds),
        pool=Lanes(settings.connector_limit, settings.connector_limits),
        models=Models.configured() if models is None else models,
    )
    engine = Engine(runtime)
    if schedules:
        engine.starter.arm_schedules()
    return Sopbot(settings, database, clock, runtime.chat, sandbox_people, sandbox, engine)
