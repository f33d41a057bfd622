"""A failed request as one line that says what to fix, the API key never in it."""

from __future__ import annotations

import openai

from bot.llm.errors import ModelUnavailable
from bot.llm.settings import PREFIX, ResponseFormat
from storage.redaction import redact

_LONGEST_SERVER_TEXT = 200


def unavailable(
    error: openai.OpenAIError,
    *,
    service: str,
    model: str,
    timeout: float,
    attempts: int,
    asked: ResponseFormat = ResponseFormat.JSON_SCHEMA,
) -> ModelUnavailable:
    """``error`` as the caller's ``ModelUnavailable``; ``service`` is the base URL and
    ``asked`` the way answers in a shape were asked for."""
    tries = f"{attempts} {'try' if attempts == 1 else 'tries'}"
    if isinstance(error, openai.APITimeoutError):
        text = (
            f"the model service at {service} did not answer within {timeout:g} s ({tries}); "
            f"check the service or raise {PREFIX}TIMEOUT"
        )
    elif isinstance(error, openai.APIConnectionError):
        text = f"could not reach the model service at {service} ({tries}); check {PREFIX}BASE_URL"
    elif isinstance(error, openai.APIResponseValidationError):
        text = (
            f"the model service at {service} answered with something that is not a chat "
            f"completion ({error.message}); check {PREFIX}BASE_URL"
        )
    elif not isinstance(error, openai.APIStatusError):
        text = f"the model service at {service} failed: {type(error).__name__}"
    elif error.status_code in (401, 403):
        text = (
            f"the model service at {service} refused the API key ({error.status_code}); "
            f"check {PREFIX}API_KEY"
        )
    elif error.status_code == 404:
        text = (
            f"the model service at {service} has no model '{model}' (404); check {PREFIX}MODEL "
            f"(or {PREFIX}MODELS_<FEATURE>, or the Azure deployment)"
        )
    elif error.status_code == 429:
        text = f"the model service at {service} is rate limiting sopbot (429, {tries})"
    elif refuses_response_format(error) and asked is not ResponseFormat.PROMPT:
        text = (
            f"the model service at {service} refused the answer format "
            f"({error.status_code}: {_said(error)}); {_instead(asked)}"
        )
    elif error.status_code >= 500:
        text = f"the model service at {service} failed ({error.status_code}, {tries})"
    else:
        text = f"the model service at {service} refused the request ({error.status_code}): {_said(error)}"
    return ModelUnavailable(redact(text))


def _instead(asked: ResponseFormat) -> str:
    """The ``RESPONSE_FORMAT`` to try next, after ``asked`` was refused."""
    if asked is ResponseFormat.JSON_SCHEMA:
        return (
            f"if it takes no JSON-schema formats, set {PREFIX}RESPONSE_FORMAT=json_object "
            "(llama-cpp-python's server) or prompt (a server that constrains nothing)"
        )
    return f"set {PREFIX}RESPONSE_FORMAT=prompt (the schema goes in the instructions only)"


def refuses_response_format(error: BaseException) -> bool:
    """True when the server's error is about the ``response_format`` asked for: asking
    again will not help, another ``RESPONSE_FORMAT`` setting will (llama-cpp-python's
    server answers ``json_schema`` with a 500 that says so)."""
    return isinstance(error, openai.APIStatusError) and "response_format" in _said(error)


def _said(error: openai.APIStatusError) -> str:
    """The server's own message (the ``error.message`` of its body), shortened to one line
    of printable text: it is printed (``sopbot doctor``) and logged, where a line break
    could forge a line of its own and a terminal escape could rewrite the screen."""
    body = error.body
    message = body.get("message") if isinstance(body, dict) else None
    printable = "".join(
        c for c in " ".join(str(message or error.message).split()) if c.isprintable()
    )
    return printable[:_LONGEST_SERVER_TEXT]
