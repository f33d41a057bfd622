"""Where the order system is and how sopbot signs in: ``ACME_ORDERS_URL`` and
``ACME_ORDERS_TIMEOUT`` from the environment, the token from sopbot's secrets
(``SOPBOT_SECRET_ACME_ORDERS_TOKEN``), so it is masked like every configured secret."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

URL_SETTING = "ACME_ORDERS_URL"
TIMEOUT_SETTING = "ACME_ORDERS_TIMEOUT"
TOKEN_SECRET = "ACME_ORDERS_TOKEN"
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class OrderSystemSettings:
    """The API's base URL (no trailing slash), the bearer token and the seconds per call."""

    base_url: str
    token: str = field(repr=False)
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def load(cls, environ: Mapping[str, str], secrets: Mapping[str, str]) -> OrderSystemSettings:
        """The settings, or a ``ValueError`` (``KeyError`` for the token) naming what to set."""
        url = environ.get(URL_SETTING, "").strip()
        if not url.startswith(("https://", "http://")):
            raise ValueError(
                f"set {URL_SETTING} to the order system's API base URL, such as "
                "https://orders.acme.example/api/v2"
            )
        text = environ.get(TIMEOUT_SETTING, str(DEFAULT_TIMEOUT))
        try:
            timeout = float(text)
        except ValueError:
            timeout = math.nan
        if not (math.isfinite(timeout) and timeout > 0):
            raise ValueError(f"{TIMEOUT_SETTING}={text!r}: write the seconds a call may take")
        return cls(url.rstrip("/"), secrets[TOKEN_SECRET], timeout)
