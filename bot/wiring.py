"""Building a running sopbot from settings: database, SOP library, tools, chat and clock.

The same wiring serves the console, Slack, the scenario runner and the tests, so each of
them exercises the real parts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.catalogue.registry import build_catalogue
from bot.chat.port import ChatPort
from bot.clock.time import Clock
from bot.config import Settings
from bot.connectors.base import Connector
from bot.connectors.sandbox.people import SandboxDirectory
from bot.connectors.sandbox.seed import seed
from bot.connectors.sandbox.tools import SandboxTools
from bot.directory import Directory
from bot.engine.engine import Engine
from bot.engine.runtime import Runtime, default_worker_id
from bot.library import Library
from bot.secrets import Secrets, Vault
from storage.database import Database


@dataclass
class Sandbox:
    """The embedded demo tools and the people they know."""

    tools: SandboxTools
    directory: SandboxDirectory


def open_database(settings: Settings) -> Database:
    """The database at ``settings.database_url``, migrated to the current schema."""
    database = Database(settings.database_url)
    database.upgrade()
    return database


def open_sandbox(database: Database, clock: Clock) -> Sandbox:
    """Seed (once) and open the sandbox tools and directory."""
    seed(database, clock.now())
    return Sandbox(SandboxTools(database, clock.now), SandboxDirectory(database))


def build_engine(
    settings: Settings,
    database: Database,
    chat: ChatPort,
    clock: Clock,
    *,
    tools: Connector,
    directory: Directory,
) -> Engine:
    """An engine over the validated SOP library and the given tools."""
    catalogue = build_catalogue(tuple(settings.connectors))
    library = Library.load(settings.sops_dir, database, now=clock.now(), catalogue=catalogue)
    runtime = Runtime(
        database=database,
        library=library,
        catalogue=catalogue,
        connectors=dict.fromkeys(tools.namespaces, tools),
        chat=chat,
        directory=directory,
        clock=clock,
        secrets=Secrets(vault=Vault.for_database(database.url, settings.secrets_key_text)),
        worker_id=settings.worker_id or default_worker_id(),
        lease=dt.timedelta(seconds=settings.lease_seconds),
    )
    engine = Engine(runtime)
    engine.starter.arm_schedules()
    return engine
