"""Settings from the environment (``SOPBOT_*``) or a ``.env`` file, with safe defaults:
SQLite in ./var, the sample SOPs, sandbox tools, and the local console without Slack tokens."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can set. Secrets never print in full."""

    model_config = SettingsConfigDict(env_prefix="SOPBOT_", env_file=".env", extra="ignore")

    database_url: str = Field(default="sqlite:///var/sopbot.db", description="SQLAlchemy URL")
    sops_dir: Path = Path("sops")
    connectors: list[str] = Field(
        default_factory=list, description="extra connectors, module:attribute"
    )
    tools: str = Field(default="sandbox", description="sandbox (embedded demo tools) or live")
    timezone: str = "UTC"
    worker_id: str | None = Field(default=None, description="this process's name in leases")
    lease_seconds: int = Field(default=60, ge=5)
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None

    @property
    def slack_enabled(self) -> bool:
        """Slack runs when a bot token is set; otherwise the local console opens."""
        return self.slack_bot_token is not None
