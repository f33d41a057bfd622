"""The model router over the real openai client against the fake chat-completions API: the
answer's procedure is an enum of what the person may start, only valid inputs are kept,
``none`` is out of scope, and a model that gives no answer leaves routing to the offline
router."""

from __future__ import annotations

from bot.app.commands.service import CommandService
from bot.harness import Harness
from bot.llm.models import Models
from bot.llm.usage import Usage
from bot.procedure.model import Procedure
from bot.routing.configured import configured_router
from bot.routing.model import ModelRouter
from bot.routing.offline import NAME as OFFLINE
from bot.routing.offline import OfflineRouter
from tests.app.door import door_of
from tests.llm.fake_openai import FakeOpenAI, json_reply, server_error

REQUEST = "my order 1042 arrived broken, I want my money back"


def _router(models: Models, recorded: list[Usage]) -> ModelRouter:
    router = configured_router(models, recorded.append)
    assert isinstance(router, ModelRouter)
    return router


def _answer(procedure: str, inputs: dict[str, str], confidence: float = 0.9) -> dict[str, object]:
    return {
        "procedure": procedure,
        "alternatives": ["freight-claim"],
        "inputs": [{"name": name, "value": value} for name, value in inputs.items()],
        "confidence": confidence,
    }


def test_the_models_choice_is_limited_to_the_procedures_given_and_its_inputs_checked(
    samples: dict[str, Procedure],
    models: Models,
    fake_openai: FakeOpenAI,
    recorded: list[Usage],
) -> None:
    fake_openai.on(
        "money back",
        json_reply(_answer("refund", {"order_id": "1042", "amount": "lots", "colour": "red"})),
    )
    allowed = [samples["refund-request"], samples["freight-claim"], samples["pto-request"]]
    route = _router(models, recorded).route(REQUEST, allowed)

    assert route.best is not None
    assert route.best.procedure.id == "refund-request"
    assert route.confident
    assert [candidate.name for candidate in route.candidates][:2] == ["refund", "freight-claim"]
    assert route.inputs == {"order_id": "1042"}, "an amount that is no number, an unknown input"
    schema = fake_openai.requests[0].body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["procedure"]["enum"] == ["refund", "freight-claim", "pto", "none"]
    assert [usage.feature for usage in recorded] == ["routing"]


def test_none_from_the_model_is_out_of_scope(
    samples: dict[str, Procedure], models: Models, fake_openai: FakeOpenAI, recorded: list[Usage]
) -> None:
    fake_openai.on("wifi", json_reply(_answer("none", {}, confidence=0.95)))
    route = _router(models, recorded).route("what's the wifi password", list(samples.values()))
    assert route.out_of_scope
    assert route.best is None


def test_a_model_that_gives_no_answer_leaves_routing_to_the_offline_router(
    samples: dict[str, Procedure], models: Models, fake_openai: FakeOpenAI, recorded: list[Usage]
) -> None:
    fake_openai.on("money back", server_error())
    route = _router(models, recorded).route(REQUEST, list(samples.values()))
    assert route.router == OFFLINE
    assert route.best is not None
    assert route.best.procedure.id == "refund-request"


def test_with_no_model_configured_the_offline_router_is_used(
    fake_openai: FakeOpenAI, recorded: list[Usage]
) -> None:
    unconfigured = Models(fake_openai.settings(), None)
    assert isinstance(configured_router(unconfigured, recorded.append), OfflineRouter)


def test_free_text_starts_what_the_model_chose_through_the_front_door(
    harness: Harness, models: Models, fake_openai: FakeOpenAI, recorded: list[Usage]
) -> None:
    fake_openai.on(
        "money back",
        json_reply(_answer("refund", {"order_id": "1042", "reason": "arrived broken"})),
    )
    service = CommandService(door_of(harness), router=_router(models, recorded))
    reply = service.handle(f"/sop {REQUEST}", "U02DEV")
    assert reply.text.startswith(
        'That sounds like Refund a customer order: /sop run refund order_id=1042 reason="arrived broken"\n'
        "Started Refund a customer order as run r-"
    )
    assert harness.chat.questions == [], "nothing was missing"


def test_the_model_reads_the_request_as_written_and_a_reason_keeps_its_signs(
    samples: dict[str, Procedure], models: Models, fake_openai: FakeOpenAI, recorded: list[Usage]
) -> None:
    written = (
        "\uff4f\uff52\uff44\uff45\uff52 1042: the Acme™ kettle arrived broken, money back please"
    )
    fake_openai.on(
        "Acme™ kettle",
        json_reply(_answer("refund", {"order_id": "1042", "reason": "the Acme™ kettle broke"})),
    )

    allowed = [samples["refund-request"], samples["freight-claim"]]
    route = _router(models, recorded).route(written, allowed)

    assert fake_openai.requests[0].user_messages == [written]  # not the plain (NFKC) form
    assert route.inputs["reason"] == "the Acme™ kettle broke"
