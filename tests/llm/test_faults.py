"""A model service that is slow, busy, failing or refusing: retried where that can help,
waiting as long as the server asks, then ``ModelUnavailable`` in one line that says what to
fix, with the API key nowhere in it or in the logs."""

from __future__ import annotations

import logging

import pytest

from bot.llm.errors import ModelError, ModelUnavailable
from bot.llm.models import Models
from bot.llm.usage import Outcome, Usage
from tests.llm.fake_openai import (
    FakeOpenAI,
    drip,
    hang,
    json_reply,
    rate_limited,
    server_error,
    text,
)
from tests.llm.invoice import ASK, Paid, judge


def test_a_429_is_waited_out_as_long_as_retry_after_says(
    fake_openai: FakeOpenAI, models: Models, pauses: list[float], recorded: list[Usage]
) -> None:
    fake_openai.on("INV-2002", rate_limited(retry_after=2), json_reply({"paid": True}))

    assert judge(models).answer(ASK, Paid, record=recorded.append) == Paid(paid=True)

    assert pauses == [2.0]
    assert len(fake_openai.requests) == 2
    [usage] = recorded  # one record for the call, its tries counted
    assert (usage.outcome, usage.attempts) == (Outcome.ANSWERED, 2)


def test_a_500_once_is_retried_after_a_short_backoff(
    fake_openai: FakeOpenAI, models: Models, pauses: list[float], recorded: list[Usage]
) -> None:
    fake_openai.on("INV-2002", server_error(), json_reply({"paid": False}))

    assert judge(models).answer(ASK, Paid, record=recorded.append) == Paid(paid=False)

    [pause] = pauses
    assert 0.5 <= pause <= 1.0  # the first backoff step, with jitter
    assert recorded[0].attempts == 2


def test_a_service_that_keeps_failing_is_unavailable_after_the_retries(
    fake_openai: FakeOpenAI, models: Models, pauses: list[float], recorded: list[Usage]
) -> None:
    fake_openai.on("INV-2002", server_error())

    with pytest.raises(ModelUnavailable, match=r"failed \(500, 3 tries\)"):
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert len(fake_openai.requests) == 3  # the first try and SOPBOT_LLM_MAX_RETRIES=2
    assert len(pauses) == 2
    assert pauses[1] > pauses[0] - 0.5  # backing off, jitter aside
    [usage] = recorded
    assert (usage.outcome, usage.error, usage.attempts) == (
        Outcome.UNAVAILABLE,
        "InternalServerError",
        3,
    )


def test_a_server_asking_for_a_long_pause_is_not_waited_for(
    fake_openai: FakeOpenAI, models: Models, pauses: list[float], recorded: list[Usage]
) -> None:
    fake_openai.on("INV-2002", rate_limited(retry_after=3600), json_reply({"paid": True}))

    with pytest.raises(ModelUnavailable, match=r"rate limiting sopbot \(429, 1 try\)"):
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert pauses == []


def test_a_hung_service_times_out_and_is_unavailable(
    fake_openai: FakeOpenAI, pauses: list[float], recorded: list[Usage]
) -> None:
    fake_openai.on("INV-2002", hang())
    models = Models.configured(
        fake_openai.settings(timeout=0.2, max_retries=1), sleep=pauses.append
    )

    with pytest.raises(
        ModelUnavailable, match=r"did not answer within 0.2 s \(2 tries\); .*SOPBOT_LLM_TIMEOUT"
    ):
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert len(fake_openai.requests) == 2
    assert recorded[0].error == "APITimeoutError"
    assert recorded[0].latency_ms >= 400


def test_an_unreachable_service_names_the_base_url_setting(
    recorded: list[Usage], pauses: list[float], fake_openai: FakeOpenAI
) -> None:
    settings = fake_openai.settings(base_url="http://127.0.0.1:9/v1", max_retries=0)
    models = Models.configured(settings, sleep=pauses.append)

    with pytest.raises(
        ModelUnavailable, match=r"could not reach .*127.0.0.1:9.*SOPBOT_LLM_BASE_URL"
    ):
        judge(models).answer(ASK, Paid, record=recorded.append)


def test_a_wrong_key_is_named_but_never_shown(
    fake_openai: FakeOpenAI,
    pauses: list[float],
    recorded: list[Usage],
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrong = "sk-wrong-8d1f0c7b3a9e"
    fake_openai.on("INV-2002", json_reply({"paid": True}))
    models = Models.configured(fake_openai.settings(api_key=wrong), sleep=pauses.append)
    caplog.set_level(logging.DEBUG)  # the openai and httpx loggers included

    with pytest.raises(ModelUnavailable) as raised:
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert "refused the API key (401); check SOPBOT_LLM_API_KEY" in str(raised.value)
    assert "Incorrect API key provided" in fake_openai_said(fake_openai)  # the server echoed it
    assert wrong not in str(raised.value)
    assert caplog.records  # the client did log the exchange
    assert wrong not in caplog.text
    assert wrong not in repr(models.settings)
    assert pauses == []  # a bad key is not retried


def fake_openai_said(fake: FakeOpenAI) -> str:
    """The error body the fake sent for the last request (from the server's own log)."""
    _request, response = fake.server.log[-1]
    return response.get_data(as_text=True)


def test_an_unknown_model_names_the_model_setting(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.unknown_models.add("gpt-test")

    with pytest.raises(
        ModelUnavailable, match=r"has no model 'gpt-test' \(404\); check SOPBOT_LLM_MODEL"
    ):
        judge(models).answer(ASK, Paid, record=recorded.append)


def test_a_request_the_service_refuses_says_why(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    # no rule matches: the fake answers 400 as the API does for a bad request

    with pytest.raises(
        ModelUnavailable, match=r"refused the request \(400\): fake_openai: no rule"
    ):
        judge(models).answer(ASK, Paid, record=recorded.append)


def test_a_service_that_drips_its_answer_is_cut_off_when_the_timeout_is_up(
    fake_openai: FakeOpenAI, pauses: list[float], recorded: list[Usage]
) -> None:
    # The client's own timeout bounds each wait for bytes, not the request: without reading
    # the body against the clock, this answer (a byte every 50 ms) held the call for 20 s.
    fake_openai.on("INV-2002", drip('{"paid": true}'))
    models = Models.configured(fake_openai.settings(timeout=0.5, max_retries=0))

    with pytest.raises(ModelUnavailable, match=r"did not answer within 0.5 s \(1 try\)"):
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert fake_openai.drip_ended.wait(timeout=10), "the client never hung up"
    [sent] = fake_openai.dripped
    assert sent < 100  # of an answer of about 400 bytes
    assert recorded[0].error == "APITimeoutError"


def test_an_answer_over_8_mib_is_not_read_to_the_end(
    fake_openai: FakeOpenAI, models: Models, recorded: list[Usage]
) -> None:
    fake_openai.on("INV-2002", text("paid " * (2 * 1024 * 1024)))

    with pytest.raises(ModelError, match=r"sent an answer over 8 MiB"):
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert len(fake_openai.requests) == 1  # not asked again
    assert (recorded[0].outcome, recorded[0].error) == (Outcome.INVALID, "Oversized")


def test_a_service_without_json_schema_formats_is_named_with_the_setting_to_change(
    fake_openai: FakeOpenAI, models: Models, pauses: list[float], recorded: list[Usage]
) -> None:
    fake_openai.takes_json_schema = False  # llama-cpp-python's server answers a 500
    fake_openai.on("INV-2002", json_reply({"paid": True}))

    with pytest.raises(ModelUnavailable, match=r"SOPBOT_LLM_RESPONSE_FORMAT=json_object"):
        judge(models).answer(ASK, Paid, record=recorded.append)

    assert len(fake_openai.requests) == 1  # asking again the same way cannot help
    assert pauses == []
