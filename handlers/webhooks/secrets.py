"""Each webhook's signing secret, from ``SOPBOT_WEBHOOK_<NAME>_SECRET``.

Read from the environment like ``SOPBOT_SECRET_*``, never from SOP files, and registered for
masking at once, so a secret that reaches a log line or an error shows as a mask.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.secrets import remember

SETTING = re.compile(r"^SOPBOT_WEBHOOK_([A-Z][A-Z0-9_]{0,31})_SECRET$")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
"""A webhook's name, as the path and the SOPs' event ``source`` spell it (32 characters at
most: it is stored as the source of the events it delivers)."""


def setting_for(name: str) -> str:
    """The environment variable that holds the secret of the webhook ``name``."""
    return f"SOPBOT_WEBHOOK_{name.upper()}_SECRET"


UNSIGNABLE = ("jira",)
"""The webhooks an operator may open to unsigned deliveries: Jira's, whose Data Center and
secret-less webhooks sign nothing. Every other one needs its secret."""


def unsigned_setting_for(name: str) -> str:
    """The environment variable that opens the webhook ``name`` to unsigned deliveries."""
    return f"SOPBOT_WEBHOOK_{name.upper()}_UNSIGNED"


def unsigned_webhooks(environ: Mapping[str, str]) -> frozenset[str]:
    """The webhooks the operator explicitly opened: ``SOPBOT_WEBHOOK_JIRA_UNSIGNED=allow``."""
    return frozenset(
        name
        for name in UNSIGNABLE
        if environ.get(unsigned_setting_for(name), "").strip().lower() == "allow"
    )


def webhook_secrets(environ: Mapping[str, str]) -> dict[str, str]:
    """The configured webhooks, by name, with their secrets (masked from now on)."""
    found = {
        match.group(1).lower(): value
        for variable, value in environ.items()
        if (match := SETTING.match(variable)) and value
    }
    remember(found.values())
    return found
