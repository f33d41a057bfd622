"""Requests as a careless or hostile person sends them: invisible characters copied in from
a document do not change what a request asks for, and a request padded to a megabyte is read
as its first few sentences, by the offline router and by the model, instead of holding a
worker for a minute or sending the megabyte to the model."""

from __future__ import annotations

import time

from bot.llm.models import Models
from bot.llm.usage import Usage
from bot.procedure.model import Procedure
from bot.routing.configured import configured_router
from bot.routing.extract import READ_LIMIT
from bot.routing.offline import OfflineRouter
from bot.routing.route import Route
from tests.llm.fake_openai import FakeOpenAI, json_reply

REQUEST = "I need a refund, order 1042 arrived broken"
PADDING = " lorem ipsum dolor sit amet" * 40_000
"""About a megabyte of words no procedure has."""


def _ranked(route: Route) -> list[tuple[str, float]]:
    return [(c.procedure.id, round(c.score, 6)) for c in route.candidates]


def test_invisible_characters_do_not_change_the_route(samples: dict[str, Procedure]) -> None:
    procedures = list(samples.values())
    hidden = "I need a re\u200bfu\u00adnd, order 10\u200b42 arrived bro\u2060ken"
    plain, invisible = (
        OfflineRouter().route(REQUEST, procedures),
        OfflineRouter().route(hidden, procedures),
    )
    assert invisible.best is not None
    assert invisible.best.procedure.id == "refund-request"
    assert _ranked(invisible) == _ranked(plain)
    assert invisible.inputs == {"order_id": "1042"}


def test_a_megabyte_request_is_routed_by_its_beginning_at_once(
    samples: dict[str, Procedure],
) -> None:
    procedures = list(samples.values())
    started = time.monotonic()
    padded = OfflineRouter().route(REQUEST + PADDING, procedures)
    assert time.monotonic() - started < 5, "it took over 30 s when the whole text was read"
    beginning = OfflineRouter().route((REQUEST + PADDING)[:READ_LIMIT], procedures)
    assert _ranked(padded) == _ranked(beginning)


def test_the_model_is_sent_the_beginning_of_a_megabyte_request(
    samples: dict[str, Procedure], models: Models, fake_openai: FakeOpenAI, recorded: list[Usage]
) -> None:
    answer = {"procedure": "refund", "alternatives": [], "inputs": [], "confidence": 0.9}
    fake_openai.on("order 1042", json_reply(answer))
    route = configured_router(models, recorded.append).route(
        REQUEST + PADDING, list(samples.values())
    )
    assert route.best is not None
    assert route.best.procedure.id == "refund-request"
    (request,) = fake_openai.requests
    assert request.user_messages[-1] == (REQUEST + PADDING)[:READ_LIMIT]
