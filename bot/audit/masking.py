"""Masking before anything is shown or kept: sensitive arguments by name, and secret values
in every log record.

Secret values in database records need no call here: ``storage.redaction`` masks them in
every statement. ``mask`` remains for what the database cannot know: arguments whose names
say they are sensitive (a password field, an Authorization header), whatever their value.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

from storage.redaction import MASK, is_active, redact

__all__ = ["MASK", "mask", "mask_logs"]

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


_install_lock = threading.Lock()
_installed = False
_TRACEBACKS = logging.Formatter()


def mask_logs() -> None:
    """From now on, every log record of this process (message, arguments, traceback) has
    the registered secret values masked as it is made, before any handler sees it."""
    global _installed
    with _install_lock:
        if _installed:
            return
        make_record = logging.getLogRecordFactory()

        def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            if is_active():
                _mask_record(record)
            return record

        logging.setLogRecordFactory(masked_record)
        _installed = True


def _mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: logging reports it when the record is emitted
        return
    record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = redact(_TRACEBACKS.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
