"""Which service and model each feature uses, from ``SOPBOT_LLM_*``; nothing set is no
model at all, and every feature takes its offline path."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from bot.config import SettingsProblem
from bot.llm.messages import user
from bot.llm.models import NO_KEY, Models
from bot.llm.settings import Feature, load_llm_settings
from bot.llm.usage import Usage
from tests.llm.fake_openai import FakeOpenAI, json_reply


class Verdict(BaseModel):
    option: str


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    """No SOPBOT_LLM_* or .env of the machine leaks in."""
    monkeypatch.chdir(str(tmp_path))
    for name in ("API_KEY", "BASE_URL", "MODEL", "AZURE_API_VERSION", "AZURE_DEPLOYMENT"):
        monkeypatch.delenv(f"SOPBOT_LLM_{name}", raising=False)


def test_nothing_configured_means_no_model_for_any_feature() -> None:
    models = Models.configured()

    assert not models.available
    assert [models.model_for(feature) for feature in Feature] == [None] * 5


def test_features_take_their_own_model_or_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPBOT_LLM_API_KEY", "sk-env-1f2e3d4c5b6a")
    monkeypatch.setenv("SOPBOT_LLM_MODEL", "gpt-4.1-mini")
    monkeypatch.setenv("SOPBOT_LLM_MODELS_JUDGE", "gpt-4.1")
    monkeypatch.setenv("SOPBOT_LLM_MAX_RETRIES", "4")

    models = Models.configured()

    names = {feature: model.name for feature in Feature if (model := models.model_for(feature))}
    assert names == {
        Feature.ROUTING: "gpt-4.1-mini",
        Feature.COMPILE: "gpt-4.1-mini",
        Feature.PREPARE: "gpt-4.1-mini",
        Feature.DRAFT: "gpt-4.1-mini",
        Feature.JUDGE: "gpt-4.1",
    }
    assert models.settings.max_retries == 4
    assert "sk-env-1f2e3d4c5b6a" not in repr(models.settings)


@pytest.mark.parametrize(
    ("environment", "problem"),
    [
        (
            {"SOPBOT_LLM_API_KEY": "sk-live-a1b2c3d4"},
            "SOPBOT_LLM_MODEL must be set (the model or deployment name) when "
            "SOPBOT_LLM_API_KEY or SOPBOT_LLM_BASE_URL is",
        ),
        (
            {
                "SOPBOT_LLM_MODEL": "gpt-4o",
                "SOPBOT_LLM_API_KEY": "k",
                "SOPBOT_LLM_AZURE_API_VERSION": "2024-10-21",
            },
            "SOPBOT_LLM_BASE_URL (the Azure endpoint, https://NAME.openai.azure.com) and "
            "SOPBOT_LLM_API_KEY must be set when SOPBOT_LLM_AZURE_API_VERSION is",
        ),
        ({"SOPBOT_LLM_TIMEOUT": "0"}, "SOPBOT_LLM_TIMEOUT: Input should be greater than 0"),
        ({"SOPBOT_LLM_MODELS_ROUTER": "x"}, "SOPBOT_LLM_MODELS_ROUTER: Input should be"),
        (
            {
                "SOPBOT_LLM_BASE_URL": "http://127.0.0.1:8080/v1",
                "SOPBOT_LLM_MODEL": "m",
                "SOPBOT_LLM_RESPONSE_FORMAT": "xml",
            },
            "SOPBOT_LLM_RESPONSE_FORMAT: Input should be 'json_schema', 'json_object' or 'prompt'",
        ),
    ],
)
def test_an_unusable_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], problem: str
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(SettingsProblem) as raised:
        load_llm_settings()

    assert str(raised.value).startswith(problem)
    assert "a1b2c3d4" not in str(raised.value)


def test_a_local_server_needs_no_key(
    openai_server: object, fake_openai: FakeOpenAI, recorded: list[Usage]
) -> None:
    """vLLM, llama.cpp's server and Ollama: a base URL and a model, nothing else."""
    fake_openai.key = None
    fake_openai.on("Which option", json_reply({"option": "escalate"}))
    models = Models.configured(load_llm_settings(base_url=fake_openai.url, model="llama3.1:8b"))
    model = models.model_for(Feature.JUDGE)
    assert model is not None

    verdict = model.answer([user("Which option?")], Verdict, record=recorded.append)

    assert verdict.option == "escalate"
    assert fake_openai.requests[0].headers["Authorization"] == f"Bearer {NO_KEY}"
    assert fake_openai.requests[0].body["model"] == "llama3.1:8b"


def test_azure_calls_the_features_deployment_with_its_api_version_and_key(
    fake_openai: FakeOpenAI, recorded: list[Usage]
) -> None:
    fake_openai.on("Which option", json_reply({"option": "approve"}))
    settings = load_llm_settings(
        api_key=fake_openai.key,
        base_url=fake_openai.azure_endpoint,
        azure_api_version="2024-10-21",
        model="gpt-4o-mini-prod",
        models={"judge": "gpt-4o-prod"},
    )
    model = Models.configured(settings).model_for(Feature.JUDGE)
    assert model is not None

    verdict = model.answer([user("Which option?")], Verdict, record=recorded.append)

    assert verdict.option == "approve"
    [sent] = fake_openai.requests
    assert sent.path == "/openai/deployments/gpt-4o-prod/chat/completions"
    assert sent.query == {"api-version": "2024-10-21"}
    assert sent.headers["Api-Key"] == fake_openai.key
    assert "Authorization" not in sent.headers


def test_azure_with_one_deployment_for_every_feature(
    fake_openai: FakeOpenAI, recorded: list[Usage]
) -> None:
    fake_openai.on("Which option", json_reply({"option": "approve"}))
    settings = load_llm_settings(
        api_key=fake_openai.key,
        base_url=fake_openai.azure_endpoint,
        azure_api_version="2024-10-21",
        azure_deployment="sopbot-gpt4o",
    )
    model = Models.configured(settings).model_for(Feature.ROUTING)
    assert model is not None

    model.answer([user("Which option?")], Verdict, record=recorded.append)

    assert fake_openai.requests[0].path == "/openai/deployments/sopbot-gpt4o/chat/completions"
    assert recorded[0].model == "sopbot-gpt4o"
