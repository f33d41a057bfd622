"""Masking secrets before anything is written to the audit log or the journal."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "••••"
SENSITIVE_KEY = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|authorization|cookie)", re.IGNORECASE
)


def mask(value: Any, secret_values: Iterable[str] = (), sensitive_keys: Iterable[str] = ()) -> Any:
    """A copy of ``value`` with secret values replaced and sensitive keys' values hidden."""
    secrets = tuple(secret_values)
    always = frozenset(sensitive_keys)
    return _mask(value, secrets, always)


def _mask(value: Any, secrets: tuple[str, ...], always: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: MASK
            if (key in always or SENSITIVE_KEY.search(str(key))) and value[key]
            else _mask(item, secrets, always)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_mask(item, secrets, always) for item in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    return value
