"""Everything the engine's parts share: the database, the library, the tools, the chat
port, the directory, the clock and the worker's identity."""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.catalogue.operation import Connector
from bot.catalogue.registry import Catalogue
from bot.chat.port import ChatPort
from bot.clock.time import Clock
from bot.directory import Directory
from bot.engine.calls import Caller
from bot.engine.lanes import Lanes
from bot.engine.work import RunWork
from bot.library import Library
from bot.llm.models import Models
from bot.llm.settings import LlmSettings
from bot.secrets import Secrets
from storage.database import Database

FlushFunction = Callable[[RunWork], None]


def default_worker_id() -> str:
    """A name unique to this process, for leases."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Runtime:
    """The engine's dependencies, wired once at start (or per test)."""

    database: Database
    library: Library
    catalogue: Catalogue
    connectors: dict[str, Connector]
    chat: ChatPort
    directory: Directory
    clock: Clock
    secrets: Secrets = field(default_factory=Secrets)
    worker_id: str = field(default_factory=default_worker_id)
    lease: dt.timedelta = dt.timedelta(seconds=60)
    pool: Lanes = field(default_factory=Lanes)
    """The tool threads: a bounded lane per namespace, so a hung tool stalls only its own."""
    models: Models = field(default_factory=lambda: Models.configured(LlmSettings.model_construct()))
    """Model access for the agent steps (default: none, so each takes its offline path)."""

    def caller(self, flush: FlushFunction, renew: FlushFunction) -> Caller:
        """A Caller that commits a run's pending changes with ``flush`` and keeps the claim
        on the run with ``renew`` while a call is in flight (three times per lease)."""
        return Caller(
            connectors=self.connectors,
            pool=self.pool,
            secret_values=self.secrets.values_to_mask,
            flush=flush,
            renew=renew,
            renew_every=self.lease.total_seconds() / 3,
        )

    def close(self) -> None:
        """Stop the tool threads and close database connections."""
        self.pool.shutdown(wait=False)
        self.database.dispose()
