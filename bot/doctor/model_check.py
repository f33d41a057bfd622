"""Does each configured model answer in the shape sopbot asks for? One small question per
model, the way features ask theirs, so a wrong key, model name or response format shows
here rather than as every feature quietly taking its offline path."""

from __future__ import annotations

from pydantic import BaseModel

from bot.config import SettingsProblem
from bot.doctor.findings import Finding, fail, ok
from bot.llm.errors import ModelError
from bot.llm.messages import Message, system, user
from bot.llm.models import Models
from bot.llm.settings import PREFIX, Feature, load_llm_settings

SUBJECT = "model"


class Ready(BaseModel):
    """The shape of the health question's answer; its value does not matter."""

    ready: bool


def check_models() -> list[Finding]:
    """A line per distinct model: ok when it answered in shape, FAIL with what to fix."""
    try:
        settings = load_llm_settings()
    except SettingsProblem as problem:
        return [fail(SUBJECT, str(problem))]
    if not settings.configured:
        return [ok(SUBJECT, f"none configured: each feature takes its offline path ({PREFIX}*)")]
    # One try each: a service that never answers costs the doctor one timeout per model,
    # not one per try and the pauses between them.
    models = Models.configured(settings.model_copy(update={"max_retries": 0}))
    features: dict[str, list[str]] = {}
    for feature in Feature:
        features.setdefault(settings.model_name(feature), []).append(feature.value)
    return [_ask(models, name, used) for name, used in features.items()]


def _ask(models: Models, name: str, used: list[str]) -> Finding:
    model = models.model_for(Feature(used[0]))
    assert model is not None, "a configured service has a model for every feature"
    subject = f"{SUBJECT} {name}"
    question: list[Message] = [
        system("This is a health check of the service."),
        user('Answer with the JSON object {"ready": true}.'),
    ]
    try:
        model.answer(question, Ready, record=lambda usage: None)
    except ModelError as error:
        return fail(subject, str(error))
    way = models.settings.response_format.value
    return ok(
        subject, f"answers in shape ({way}) at {model.endpoint.service} for {', '.join(used)}"
    )
