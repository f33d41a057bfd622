"""The Jira connector's settings (``SOPBOT_JIRA_*``), kept with the connector, and the
configuration they make once checked: which site, which kind of login, how long to wait.

Jira Cloud logs in with an account's email and an API token (HTTP Basic); Server and Data
Center with a personal access token (Bearer). Setting both, or half of one, is refused in
one line that names the variables, before any request is sent.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "SOPBOT_JIRA_"
_LABEL = re.compile(r"[A-Za-z0-9_.-]{1,40}")
Deployment = Literal["Cloud", "Server"]


class JiraSettingsProblem(ValueError):
    """A Jira setting that cannot be used, in one line naming the variable."""


class JiraSettings(BaseSettings):
    """What the operator sets; secrets never print in full."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_file=".env", extra="ignore")

    url: str | None = Field(default=None, description="the site: https://acme.atlassian.net")
    email: str | None = Field(default=None, description="Jira Cloud: the account's email")
    api_token: SecretStr | None = Field(default=None, description="Jira Cloud: its API token")
    token: SecretStr | None = Field(
        default=None, description="Jira Server/Data Center: a personal access token"
    )
    timeout: float = Field(default=20.0, gt=0, le=300, description="seconds per request")
    idempotency_label: str = Field(
        default="sopbot",
        description="prefix of the label that marks an issue with its step's idempotency key",
    )
    search_cap: int = Field(default=50, ge=1, le=100, description="most issues one search reads")


@dataclass(frozen=True)
class JiraConfig:
    """A usable configuration. ``repr`` leaves the secret out."""

    url: str
    deployment: Deployment
    secret: str = field(repr=False)
    email: str | None = None
    timeout: float = 20.0
    idempotency_label: str = "sopbot"
    search_cap: int = 50

    @property
    def credentials(self) -> str:
        """The variables to check when Jira refuses the login."""
        if self.deployment == "Cloud":
            return f"{PREFIX}EMAIL and {PREFIX}API_TOKEN"
        return f"{PREFIX}TOKEN"

    @property
    def secrets(self) -> list[str]:
        """Every form of the credential that could be echoed: the token, and the Basic
        header value made from it."""
        if self.email is None:
            return [self.secret]
        basic = base64.b64encode(f"{self.email}:{self.secret}".encode()).decode()
        return [self.secret, basic]

    def browse_url(self, key: str) -> str:
        """Where a person opens the issue."""
        return f"{self.url}/browse/{key}"

    @classmethod
    def from_environment(cls) -> JiraConfig:
        """The ``SOPBOT_JIRA_*`` variables of this process, checked."""
        try:
            settings = JiraSettings()
        except ValidationError as error:
            problem = error.errors()[0]
            name = PREFIX + "_".join(str(part) for part in problem["loc"]).upper()
            raise JiraSettingsProblem(f"{name}: {problem['msg']}") from None
        return cls.from_settings(settings)

    @classmethod
    def from_settings(cls, settings: JiraSettings) -> JiraConfig:
        """``settings`` checked; a missing or contradictory one refused in one line."""
        url = _site(settings.url)
        if not _LABEL.fullmatch(settings.idempotency_label):
            raise JiraSettingsProblem(
                f"{PREFIX}IDEMPOTENCY_LABEL: '{settings.idempotency_label}' is not a label "
                "prefix (1-40 letters, digits, '.', '_' or '-')"
            )
        deployment, secret = _login(settings, url)
        return cls(
            url=url,
            deployment=deployment,
            secret=secret,
            email=settings.email if deployment == "Cloud" else None,
            timeout=settings.timeout,
            idempotency_label=settings.idempotency_label,
            search_cap=settings.search_cap,
        )


def _login(settings: JiraSettings, url: str) -> tuple[Deployment, str]:
    """Cloud (email and API token) or Server (personal access token), and the secret."""
    api_token = settings.api_token.get_secret_value() if settings.api_token else None
    token = settings.token.get_secret_value() if settings.token else None
    if api_token and token:
        raise JiraSettingsProblem(
            f"{PREFIX}API_TOKEN (Jira Cloud) and {PREFIX}TOKEN (Server/Data Center) are "
            "both set: keep the one for your Jira"
        )
    if token:
        if settings.email:
            raise JiraSettingsProblem(
                f"{PREFIX}EMAIL goes with {PREFIX}API_TOKEN (Jira Cloud); a Server/Data "
                f"Center {PREFIX}TOKEN logs in alone: unset {PREFIX}EMAIL"
            )
        if (urlsplit(url).hostname or "").endswith(".atlassian.net"):
            raise JiraSettingsProblem(
                f"{PREFIX}TOKEN is a Server/Data Center token, and {url} is Jira Cloud: "
                f"set {PREFIX}EMAIL and {PREFIX}API_TOKEN instead"
            )
        return "Server", token
    if settings.email and api_token:
        return "Cloud", api_token
    if settings.email or api_token:
        missing = f"{PREFIX}API_TOKEN" if settings.email else f"{PREFIX}EMAIL"
        raise JiraSettingsProblem(
            f"{PREFIX}EMAIL and {PREFIX}API_TOKEN go together (Jira Cloud): set {missing}"
        )
    raise JiraSettingsProblem(
        f"set {PREFIX}EMAIL and {PREFIX}API_TOKEN (Jira Cloud) or {PREFIX}TOKEN "
        "(Server/Data Center) to log in to Jira"
    )


def _site(url: str | None) -> str:
    """The site's base URL without a trailing slash; refused unless http(s) with a host."""
    if not url:
        raise JiraSettingsProblem(
            f"{PREFIX}URL must be set to use the Jira connector (https://acme.atlassian.net, "
            "or your server's base URL)"
        )
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query:
        raise JiraSettingsProblem(
            f"{PREFIX}URL: '{url}' is not an http(s) base URL such as https://acme.atlassian.net"
        )
    if parts.username or parts.password:
        raise JiraSettingsProblem(
            f"{PREFIX}URL has credentials in it: remove them and set {PREFIX}EMAIL and "
            f"{PREFIX}API_TOKEN or {PREFIX}TOKEN instead"
        )
    return url.strip().rstrip("/")
