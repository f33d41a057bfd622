"""What the engine says, independent of where it is shown (Block Kit or a terminal)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ButtonStyle = Literal["primary", "danger", "default"]


@dataclass(frozen=True)
class Button:
    """One button: ``action`` is what the engine does when it is pressed (approve, reject…),
    ``value`` identifies the thing it acts on (an approval or task id)."""

    label: str
    action: str
    value: str
    style: ButtonStyle = "default"


@dataclass(frozen=True)
class Card:
    """A titled block of facts with buttons: approvals, tasks, escalations, status."""

    title: str
    summary: str
    fields: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str | None = None


@dataclass(frozen=True)
class Message:
    """Text (and optionally a card) for one destination.

    ``to`` is a Slack ID (user → a direct message; channel or group → that conversation) or
    ``#name``; ``thread`` keeps a run's conversation together. A ``reply`` answers one
    person's request where they made it (``thread["to"]``): Slack shows it to them alone
    (ephemeral), other surfaces as a plain message.
    """

    to: str
    text: str
    card: Card | None = None
    thread: dict[str, Any] | None = None
    kind: Literal["info", "card", "alert", "reply"] = "info"


@dataclass(frozen=True)
class MessageRef:
    """Where a message landed, so its card can be updated later."""

    to: str
    id: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QuestionField:
    """One answer a question asks for: a modal's input in Slack, a prompt in the console."""

    name: str
    label: str
    choices: tuple[str, ...] = ()
    required: bool = True
    kind: str = "string"
    """The input's type (``bot.procedure.inputs.InputType``), so Slack picks the widget."""


@dataclass(frozen=True)
class Question:
    """Ask one person for answers, then do ``action`` on ``subject`` with them.

    A surface shows it (a modal in Slack, prompts in the console) and hands the answers back
    through the front door (``bot.app.door.FrontDoor.answer``) with the question itself, so
    ``carry`` holds what the surface must return untouched: inputs given already, the mode
    asked for. ``thread`` is where the request came from (in Slack, its trigger for the
    modal).
    """

    to: str
    title: str
    fields: tuple[QuestionField, ...]
    action: Literal["run", "complete"]
    subject: str
    carry: dict[str, Any] = field(default_factory=dict)
    thread: dict[str, Any] | None = None


def message_to_json(message: Message) -> dict[str, Any]:
    """A message as JSON for the durable outbox."""
    return asdict(message)


def message_from_json(data: dict[str, Any]) -> Message:
    """The inverse of ``message_to_json``."""
    card = data.get("card")
    return Message(
        to=data["to"],
        text=data["text"],
        thread=data.get("thread"),
        kind=data.get("kind", "info"),
        card=None
        if card is None
        else Card(
            title=card["title"],
            summary=card["summary"],
            fields=tuple((label, value) for label, value in card.get("fields", ())),
            buttons=tuple(Button(**button) for button in card.get("buttons", ())),
            footer=card.get("footer"),
        ),
    )


def ref_to_json(ref: MessageRef) -> dict[str, Any]:
    """Where a message landed, as JSON for the database."""
    return {"to": ref.to, "id": ref.id, "extra": ref.extra}


def ref_from_json(data: dict[str, Any]) -> MessageRef:
    """The inverse of ``ref_to_json``."""
    return MessageRef(to=data["to"], id=data["id"], extra=data.get("extra", {}))
