"""Settings from the environment (``SOPBOT_*``) or a ``.env`` file, with safe defaults:
SQLite in ./var, the sample SOPs, the sandbox for every built-in tool, and the local console
without Slack tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from cryptography.fernet import Fernet
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from bot.catalogue.registry import connector_references


class Settings(BaseSettings):
    """Everything an operator can set. Secrets never print in full."""

    # "_" splits once: SOPBOT_CONNECTOR_JIRA=sandbox is {"jira": "sandbox"} in ``connector``;
    # only variables that start with a dict field's name and "_" are split.
    model_config = SettingsConfigDict(
        env_prefix="SOPBOT_",
        env_file=".env",
        extra="ignore",
        env_nested_delimiter="_",
        env_nested_max_split=1,
    )

    database_url: str = Field(default="sqlite:///var/sopbot.db", description="SQLAlchemy URL")
    sops_dir: Path = Path("sops")
    connectors: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="extra connectors: module:attribute references, separated by commas",
    )
    connector: dict[str, str] = Field(
        default_factory=dict,
        description="the connector of a namespace (SOPBOT_CONNECTOR_JIRA=sandbox): sandbox, "
        "or a factory's module:attribute; unset: sandbox for built-ins, else the spec's own",
    )
    connector_limit: int = Field(
        default=4,
        ge=1,
        description="calls one namespace may have in flight at once; more are refused at once "
        "as retryable, so a hung tool never stalls the others",
    )
    connector_limits: dict[str, Annotated[int, Field(ge=1)]] = Field(
        default_factory=dict,
        description="a namespace's own limit (SOPBOT_CONNECTOR_LIMITS_JIRA=2)",
    )
    worker_id: str | None = Field(default=None, description="this process's name in leases")
    lease_seconds: int = Field(default=60, ge=5)
    # Slack's own names (SLACK_BOT_TOKEN, …) as its guides and tools use them; the SOPBOT_
    # spellings keep working. Environment names are matched case-insensitively.
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("slack_bot_token", "sopbot_slack_bot_token")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("slack_app_token", "sopbot_slack_app_token")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("slack_signing_secret", "sopbot_slack_signing_secret"),
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        description="Slack's Web API: Slack's own, a proxy, a Grid gateway or a test double",
    )
    http_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="the base URLs http.request may call, separated by commas; none: no calls",
    )
    http_auth: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="credential headers per allowed base: <base>=<Header-Name>:<SECRET_NAME>",
    )
    http_timeout: float = Field(default=10.0, gt=0, description="seconds an HTTP call may take")
    http_max_bytes: int = Field(default=1_000_000, ge=1, description="largest HTTP answer read")
    secrets_key: SecretStr | None = Field(
        default=None,
        description="the Fernet key that encrypts secret run inputs (required on PostgreSQL)",
    )
    # email.send over SMTP (bot.connectors.email), when SOPBOT_CONNECTOR_EMAIL chooses it
    smtp_host: str | None = Field(default=None, description="the SMTP server's host name")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = Field(default=None, description="the SMTP login; unset: no login")
    smtp_password: SecretStr | None = None
    smtp_from: str | None = Field(default=None, description="the From address of every email")
    smtp_starttls: bool = Field(default=True, description="upgrade to TLS before logging in")
    smtp_timeout: float = Field(default=30.0, gt=0, description="seconds per SMTP exchange")

    @field_validator("connector", mode="before")
    @classmethod
    def _choices_only(cls, value: object) -> object:
        """SOPBOT_CONNECTOR_LIMIT and SOPBOT_CONNECTOR_LIMITS_* share the prefix of the
        connector choices; they are limits (the fields above), not namespaces."""
        if isinstance(value, dict):
            return {
                name: choice
                for name, choice in value.items()
                if name != "limit" and not str(name).startswith("limits_")
            }
        return value

    @field_validator("connectors", "http_allow", "http_auth", mode="before")
    @classmethod
    def _split_references(cls, value: object) -> object:
        """``SOPBOT_CONNECTORS=shop.tools:SPEC,crm2.tools:SPEC`` (a JSON list works too), and
        the same for the ``SOPBOT_HTTP_*`` lists."""
        return connector_references(value) if isinstance(value, str) else value

    @field_validator("secrets_key")
    @classmethod
    def _usable_key(cls, value: SecretStr | None) -> SecretStr | None:
        """A key Fernet accepts, so a typo is refused at start, not at a run's first secret."""
        if value is not None:
            try:
                Fernet(value.get_secret_value())
            except ValueError:
                raise ValueError(
                    "not a Fernet key (44 characters of URL-safe base64); make one with "
                    '`python -c "from cryptography.fernet import Fernet; '
                    'print(Fernet.generate_key().decode())"`'
                ) from None
        return value

    @property
    def secrets_key_text(self) -> str | None:
        """The key that encrypts secret run inputs, if the operator set one."""
        return self.secrets_key.get_secret_value() if self.secrets_key else None

    @property
    def slack_enabled(self) -> bool:
        """Slack runs when a bot token is set; otherwise the local console opens."""
        return self.slack_bot_token is not None


class SettingsProblem(ValueError):
    """A setting that cannot be used, in one line naming the variable."""


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and ``overrides``; a bad value is one clear line."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problem = error.errors()[0]
        name = "SOPBOT_" + "_".join(str(part) for part in problem["loc"]).upper()
        raise SettingsProblem(f"{name}: {problem['msg']}") from None
    except SettingsError as error:
        raise SettingsProblem(str(error)) from None
