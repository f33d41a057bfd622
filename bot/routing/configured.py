"""Which router a process uses: the model's when ``SOPBOT_LLM_*`` sets one up for routing,
the offline one otherwise (and whenever the model gives no usable answer)."""

from __future__ import annotations

from bot.llm.models import Models
from bot.llm.settings import Feature
from bot.llm.usage import Recorder
from bot.routing.model import ModelRouter
from bot.routing.offline import OfflineRouter
from bot.routing.route import Router


def configured_router(models: Models, record: Recorder) -> Router:
    """The model router for :attr:`Feature.ROUTING`, falling back offline; or offline only."""
    offline = OfflineRouter()
    model = models.model_for(Feature.ROUTING)
    return offline if model is None else ModelRouter(model, record, offline)
