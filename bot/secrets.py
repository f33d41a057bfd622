"""Secrets: configured ones for templates (``{{ secrets.SHOP_TOKEN }}``, read from
``SOPBOT_SECRET_*``), and run inputs declared ``secret: true``.

Every secret value this process knows is registered for masking (``storage.redaction``:
database statements; ``bot.audit.masking``: log records), so no caller has to remember to
hide one. A secret input must still reach the tool call that needs it after a restart, so
the run stores it encrypted (Fernet) and opens it only in memory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.engine import URL

from bot.audit.masking import mask_logs
from bot.engine.errors import EngineError
from bot.procedure.inputs import InputSpec
from storage import redaction
from storage.database import IN_MEMORY_SQLITE

PREFIX = "SOPBOT_SECRET_"
KEY_SETTING = "SOPBOT_SECRETS_KEY"
SEALED = "$sealed"
"""The one key of a stored secret input: ``{"$sealed": "<Fernet token>"}``."""


def remember(values: Iterable[str]) -> None:
    """Mask these values in everything this process writes or logs from now on."""
    redaction.register(values)
    mask_logs()


class SecretsKeyMissing(EngineError):
    """A secret input arrived, but there is no key to store it encrypted."""


class Vault:
    """Encrypts secret run inputs with a Fernet key: the operator's, or (embedded SQLite
    only) one generated into a file next to the database, readable by its owner alone."""

    def __init__(self, key: str | None = None, *, key_file: Path | None = None) -> None:
        self._key = key
        self._key_file = key_file

    @classmethod
    def for_database(cls, url: URL, key: str | None = None) -> Vault:
        """The vault for runs stored at ``url``: ``key`` when given, else a key file beside a
        SQLite file, a key of this process for in-memory SQLite (its data dies with the
        process too), and none for PostgreSQL (several processes must share the key)."""
        if key:
            return cls(key)
        if url.get_backend_name() != "sqlite":
            return cls()
        if url.database in IN_MEMORY_SQLITE:
            return cls(Fernet.generate_key().decode())
        return cls(key_file=Path(f"{url.database}.key"))

    @cached_property
    def _fernet(self) -> Fernet:
        if self._key is not None:
            return Fernet(self._key)
        if self._key_file is not None:
            return Fernet(_read_or_create_key(self._key_file))
        raise SecretsKeyMissing(
            f"this procedure has a secret input, and sopbot has no key to store it encrypted: "
            f"the operator must set {KEY_SETTING} (docs/operating.md, 'Secrets')"
        )

    def seal(self, value: Any) -> dict[str, str]:
        """``value`` encrypted, as stored in a run's inputs."""
        while True:
            token = self._fernet.encrypt(json.dumps(value).encode()).decode()
            if not redaction.would_change(token):  # masking must never garble a token
                return {SEALED: token}

    def open(self, sealed: Mapping[str, str]) -> Any:
        """The value ``seal`` encrypted."""
        try:
            return json.loads(self._fernet.decrypt(sealed[SEALED]))
        except InvalidToken:
            raise EngineError(
                "this run's secret inputs were encrypted with another key: restore the "
                f"{KEY_SETTING} (or the key file beside the database) the run started with"
            ) from None


def _read_or_create_key(path: Path) -> bytes:
    """The key in ``path``, created (mode 0600) by whichever process comes first."""
    if not path.exists():
        draft = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(Fernet.generate_key())
        try:
            os.link(draft, path)  # atomic: a key another process made first wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes().strip()


def is_sealed(value: Any) -> bool:
    """True for a stored secret input."""
    return isinstance(value, dict) and list(value) == [SEALED]


def shown_inputs(stored: Mapping[str, Any]) -> dict[str, Any]:
    """A run's stored inputs as people may see them: secret ones as ``••••``."""
    return {name: redaction.MASK if is_sealed(value) else value for name, value in stored.items()}


class Secrets(Mapping[str, str]):
    """A read-only view of the configured secrets, by name without the prefix, and the
    vault that keeps secret inputs."""

    def __init__(
        self, values: Mapping[str, str] | None = None, *, vault: Vault | None = None
    ) -> None:
        if values is None:
            values = {
                key.removeprefix(PREFIX): value
                for key, value in os.environ.items()
                if key.startswith(PREFIX)
            }
        self._values = dict(values)
        self.vault = vault or Vault()
        remember(self._values.values())

    def __getitem__(self, name: str) -> str:
        try:
            return self._values[name]
        except KeyError:
            raise KeyError(f"no secret '{name}' is configured (set {PREFIX}{name})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Secrets({sorted(self._values)})"

    def values_to_mask(self) -> list[str]:
        """Every secret value long enough to be worth hiding, longest first."""
        return sorted(
            (value for value in self._values.values() if len(value) >= redaction.MIN_LENGTH),
            key=len,
            reverse=True,
        )

    def seal_inputs(
        self, specs: Mapping[str, InputSpec], inputs: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The inputs as a run stores them: secret ones encrypted (and masked from now on)."""
        secret = [
            name for name, spec in specs.items() if spec.secret and inputs.get(name) is not None
        ]
        remember(str(inputs[name]) for name in secret)
        return {
            name: self.vault.seal(value) if name in secret else value
            for name, value in inputs.items()
        }

    def open_inputs(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        """A run's inputs as its steps read them: secret ones decrypted (and masked)."""
        opened = {
            name: self.vault.open(value) if is_sealed(value) else value
            for name, value in stored.items()
        }
        remember(str(opened[name]) for name, value in stored.items() if is_sealed(value))
        return opened
