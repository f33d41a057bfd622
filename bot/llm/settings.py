"""The model settings (``SOPBOT_LLM_*``): which service, which key, which model per feature.

Nothing set means no model: every feature then takes its deterministic path. A key or a
base URL turns model access on; a model name is then required, so sopbot never guesses one.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from bot.config import SettingsProblem

PREFIX = "SOPBOT_LLM_"


class Feature(enum.StrEnum):
    """What a call is for; each may have a model of its own."""

    ROUTING = "routing"
    COMPILE = "compile"
    PREPARE = "prepare"
    DRAFT = "draft"
    JUDGE = "judge"


ANSWER_TOKENS: dict[Feature, int] = {
    Feature.ROUTING: 4096,
    Feature.JUDGE: 4096,
    Feature.DRAFT: 8192,
    Feature.PREPARE: 8192,
    Feature.COMPILE: 32768,
}
"""The most tokens an answer may take, per feature: room for a reasoning model's thinking
and the answer, while a model that runs away (a small one repeating itself inside its JSON)
stops instead of writing until its context ends."""


class ResponseFormat(enum.StrEnum):
    """How the service is asked for an answer in a declared shape. Whatever the way, the
    answer is validated against the shape before it is used."""

    JSON_SCHEMA = "json_schema"
    """``response_format: json_schema`` (OpenAI, Azure, vLLM, llama.cpp's llama-server, Ollama)."""
    JSON_OBJECT = "json_object"
    """``response_format: json_object`` with the schema beside it (llama-cpp-python's server)."""
    PROMPT = "prompt"
    """Only the instructions carry the schema: for a server that constrains nothing."""


class LlmSettings(BaseSettings):
    """Where the model is and how long to wait for it. The key never prints."""

    # SOPBOT_LLM_MODELS_JUDGE=gpt-4.1 is {"judge": "gpt-4.1"} in ``models``; only variables
    # that start with a dict field's name and "_" are split.
    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_file=".env",
        extra="ignore",
        env_nested_delimiter="_",
        env_nested_max_split=1,
    )

    api_key: SecretStr | None = Field(default=None, description="the service's API key")
    base_url: str | None = Field(
        default=None,
        description="an OpenAI-compatible server (…/v1), or the Azure endpoint; unset: OpenAI",
    )
    model: str | None = Field(default=None, description="the model every feature uses")
    models: dict[Feature, str] = Field(
        default_factory=dict, description="a feature's own model: SOPBOT_LLM_MODELS_JUDGE=…"
    )
    max_tokens: dict[Feature, Annotated[int, Field(ge=16, le=1_000_000)]] = Field(
        default_factory=dict,
        description="a feature's most answer tokens: SOPBOT_LLM_MAX_TOKENS_COMPILE=…",
    )
    timeout: float = Field(default=60.0, gt=0, description="seconds one request may take")
    max_retries: int = Field(default=2, ge=0, le=10, description="retries of 429/5xx/timeouts")
    response_format: ResponseFormat = Field(
        default=ResponseFormat.JSON_SCHEMA,
        description="how answers in a shape are asked for: json_schema, json_object or prompt",
    )
    azure_api_version: str | None = Field(
        default=None, description="set for Azure OpenAI: the api-version of every request"
    )
    azure_deployment: str | None = Field(
        default=None, description="Azure: one deployment for every call; unset: the model name"
    )

    @model_validator(mode="after")
    def _complete(self) -> LlmSettings:
        """A configured service needs a model; Azure needs its endpoint."""
        if not self.configured:
            return self
        if not (self.model or self.azure_deployment) and set(self.models) != set(Feature):
            raise ValueError(
                f"{PREFIX}MODEL must be set (the model or deployment name) when "
                f"{PREFIX}API_KEY or {PREFIX}BASE_URL is"
            )
        if self.azure and not (self.base_url and self.api_key):
            raise ValueError(
                f"{PREFIX}BASE_URL (the Azure endpoint, https://NAME.openai.azure.com) and "
                f"{PREFIX}API_KEY must be set when {PREFIX}AZURE_API_VERSION is"
            )
        return self

    @property
    def configured(self) -> bool:
        """True when a model service is set up at all."""
        return self.api_key is not None or self.base_url is not None

    @property
    def azure(self) -> bool:
        """True when the service is Azure OpenAI (its own URLs, ``api-key`` header)."""
        return self.azure_api_version is not None

    def answer_tokens(self, feature: Feature) -> int:
        """The most tokens ``feature``'s answers may take."""
        return self.max_tokens.get(feature, ANSWER_TOKENS[feature])

    def model_name(self, feature: Feature) -> str:
        """The model (on Azure: the deployment) that ``feature`` calls."""
        name = self.models.get(feature) or self.model or self.azure_deployment
        assert name is not None, "checked when the settings were loaded"
        return name

    @property
    def api_key_text(self) -> str | None:
        """The key itself, for the client only."""
        return self.api_key.get_secret_value() if self.api_key else None


def load_llm_settings(**overrides: Any) -> LlmSettings:
    """The model settings from the environment and ``overrides``; a bad value is one line
    naming the variable."""
    try:
        return LlmSettings(**overrides)
    except ValidationError as error:
        problem = error.errors(include_url=False, include_input=False)[0]
        where = "_".join(str(part) for part in problem["loc"] if part != "[key]").upper()
        message = str(problem["msg"]).removeprefix("Value error, ")
        raise SettingsProblem(f"{PREFIX}{where}: {message}" if where else message) from None
    except SettingsError as error:
        raise SettingsProblem(str(error)) from None
