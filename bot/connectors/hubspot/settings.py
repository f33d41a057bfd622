"""The ``SOPBOT_HUBSPOT_*`` settings: the private app's access token, where HubSpot's API
is, how long a call may take, and the mapping file. Read when the connector starts; a value
that cannot be used stops the start in one line naming the variable."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.audit.masking import mask_logs
from storage import redaction

PREFIX = "SOPBOT_HUBSPOT_"
DEFAULT_MAPPING = Path(__file__).with_name("mapping.yml")


class HubSpotSettingProblem(ValueError):
    """A ``SOPBOT_HUBSPOT_*`` setting that cannot be used, in one line naming it."""


class HubSpotSettings(BaseSettings):
    """The connector's own settings. The token never prints in full."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_file=".env", extra="ignore")

    access_token: SecretStr = Field(description="the private app's access token (pat-…)")
    api_url: str = Field(
        default="https://api.hubapi.com", description="HubSpot's API: its own, or a proxy"
    )
    timeout: float = Field(default=10.0, gt=0, description="seconds one HubSpot call may take")
    mapping: Path = Field(
        default=DEFAULT_MAPPING,
        description="the YAML or JSON file that maps sopbot's CRM records to HubSpot's",
    )

    @property
    def token(self) -> str:
        """The access token, registered for masking before anyone can echo it."""
        value = self.access_token.get_secret_value()
        redaction.register([value])  # as bot.secrets.remember does (that module sits above)
        mask_logs()
        return value


def load_hubspot_settings() -> HubSpotSettings:
    """The settings from the environment (or ``.env``); a missing token or a bad value is
    one line naming the variable."""
    try:
        return HubSpotSettings()
    except ValidationError as error:
        problem = error.errors()[0]
        name = PREFIX + "_".join(str(part) for part in problem["loc"]).upper()
        if problem["type"] == "missing":
            raise HubSpotSettingProblem(
                f"{name} must be set: the access token of the HubSpot private app sopbot uses"
            ) from None
        raise HubSpotSettingProblem(f"{name}: {problem['msg']}") from None
