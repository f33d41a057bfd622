"""The small question several model tests ask: is an invoice paid? And the feature's model,
which a configured service always has."""

from __future__ import annotations

from pydantic import BaseModel

from bot.llm.messages import Message, user
from bot.llm.models import Model, Models
from bot.llm.settings import Feature

ASK: list[Message] = [user("Is the invoice INV-2002 paid?")]


class Paid(BaseModel):
    paid: bool


def model_for(models: Models, feature: Feature = Feature.JUDGE) -> Model:
    model = models.model_for(feature)
    assert model is not None, "a configured service has a model for every feature"
    return model


def judge(models: Models) -> Model:
    return model_for(models, Feature.JUDGE)
