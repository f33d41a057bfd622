"""Secrets for templates (``{{ secrets.SHOP_TOKEN }}``), read from ``SOPBOT_SECRET_*``.

Values never reach the audit log: ``mask`` replaces them wherever they appear.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

PREFIX = "SOPBOT_SECRET_"


class Secrets(Mapping[str, str]):
    """A read-only view of the configured secrets, by name without the prefix."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        if values is None:
            values = {
                key.removeprefix(PREFIX): value
                for key, value in os.environ.items()
                if key.startswith(PREFIX)
            }
        self._values = dict(values)

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
            (value for value in self._values.values() if len(value) >= 4), key=len, reverse=True
        )
