"""The model lines of ``sopbot doctor``: each configured model is asked one small question
the way features ask theirs, against the chat-completions fake."""

from __future__ import annotations

import json

import pytest

from tests.doctor.conftest import Doctor
from tests.llm.fake_openai import KEY, FakeOpenAI, hang, json_reply, raw


def point_at(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, retries: int) -> None:
    """The fake as the service, with routing on a model of its own."""
    monkeypatch.setenv("SOPBOT_LLM_BASE_URL", fake_openai.url)
    monkeypatch.setenv("SOPBOT_LLM_API_KEY", KEY)
    monkeypatch.setenv("SOPBOT_LLM_MODEL", "gpt-test")
    monkeypatch.setenv("SOPBOT_LLM_MODELS_ROUTING", "gpt-small")
    monkeypatch.setenv("SOPBOT_LLM_MAX_RETRIES", str(retries))


@pytest.fixture
def configured(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    """The fake as a service that answers the health question."""
    point_at(fake_openai, monkeypatch, retries=0)
    fake_openai.on('{"ready": true}', json_reply({"ready": True}))
    return fake_openai


def test_no_model_is_fine_and_says_features_work_offline(doctor: Doctor) -> None:
    outcome = doctor()

    assert outcome.code == 0
    assert outcome.line("model").startswith("ok    model: none configured")


def test_each_model_is_asked_once_and_named_with_its_features(
    doctor: Doctor, configured: FakeOpenAI
) -> None:
    outcome = doctor()

    assert outcome.code == 0, outcome.text
    assert outcome.line("model gpt-small").endswith("for routing")
    assert outcome.line("model gpt-test").endswith("for compile, prepare, draft, judge")
    assert sorted(request.body["model"] for request in configured.requests) == [
        "gpt-small",
        "gpt-test",
    ]


def test_a_server_without_json_schema_fails_naming_the_setting_and_never_the_key(
    doctor: Doctor, configured: FakeOpenAI
) -> None:
    configured.takes_json_schema = False  # llama-cpp-python's server

    outcome = doctor()

    assert outcome.code == 1
    assert "SOPBOT_LLM_RESPONSE_FORMAT=json_object" in outcome.line("model gpt-test")
    assert KEY not in outcome.text


def test_the_format_the_server_takes_passes(
    doctor: Doctor, configured: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured.takes_json_schema = False
    monkeypatch.setenv("SOPBOT_LLM_RESPONSE_FORMAT", "json_object")

    outcome = doctor()

    assert outcome.code == 0, outcome.text
    assert "answers in shape (json_object)" in outcome.line("model gpt-test")


def test_a_wrong_key_fails_without_showing_it(
    doctor: Doctor, configured: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPBOT_LLM_API_KEY", "sk-wrong-0123456789")

    outcome = doctor()

    assert outcome.code == 1
    assert "refused the API key (401); check SOPBOT_LLM_API_KEY" in outcome.line("model gpt-test")
    assert "sk-wrong-0123456789" not in outcome.text


def test_a_service_that_never_answers_fails_after_one_timeout_per_model_and_says_so(
    doctor: Doctor, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the default 60 s and two retries, each model held the doctor for over three
    # minutes before it said anything.
    point_at(fake_openai, monkeypatch, retries=2)
    monkeypatch.setenv("SOPBOT_LLM_TIMEOUT", "0.5")
    fake_openai.on('{"ready": true}', hang())

    outcome = doctor()

    assert outcome.code == 1
    for model in ("gpt-test", "gpt-small"):
        assert outcome.line(f"model {model}").endswith(
            "did not answer within 0.5 s (1 try); check the service or raise SOPBOT_LLM_TIMEOUT"
        )
    assert len(fake_openai.requests) == 2  # one try per model, no retries


def test_a_services_error_text_stays_on_its_line_and_masks_the_key(
    doctor: Doctor, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_at(fake_openai, monkeypatch, retries=0)
    said = f"bad request for key {KEY}\nok    model gpt-small: fine\x1b[2J\x07!"
    fake_openai.on('{"ready": true}', raw(json.dumps({"error": {"message": said}}), status=400))

    outcome = doctor()

    assert outcome.code == 1
    line = outcome.line("model gpt-test")
    assert line.endswith(
        "refused the request (400): bad request for key •••• ok model gpt-small: fine[2J!"
    )  # a forged line, a screen wipe and a bell, on the doctor's one line, inert
    assert outcome.line("model gpt-small").startswith("FAIL")
    assert not any(character in outcome.text for character in "\x1b\x07")
