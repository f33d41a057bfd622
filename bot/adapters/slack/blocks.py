"""The engine's messages and cards as Block Kit, built with ``slack_sdk.models.blocks`` so
the library checks Slack's limits; what does not fit is cut with "…" and handed back as
overflow for the thread.

A card is a header (its title), its summary, its facts as fields (the calls that will run
among them: ``Will run``), its buttons and its footer (the approval id and package hash, or,
once decided, who decided what). A button's ``action_id`` is the engine's ``Button.action``
(``approve``, ``reject``, ``complete``; buttons sharing one action, a choice's options, get
``#1``, ``#2``… after it) and its ``value`` the ``Button.value`` (the approval or task id, or
a choice's ``id:option``), so a listener hands both to the front door as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.adapters.slack.text import cut, escape
from bot.chat.messages import Button, Card, Message

SECTION_TEXT = SectionBlock.text_max_length
FIELD_TEXT = 2000
FIELDS_PER_SECTION = SectionBlock.fields_max_length
HEADER_TEXT = 150
BUTTON_TEXT = 75
MESSAGE_BLOCKS = 50
"""Slack's limits: section text, one field, fields per section, header, button label, and
blocks per message (the one ``slack_sdk`` does not check when building)."""

CUT_NOTE = "_Cut to fit Slack: the full text is in the thread._"


@dataclass(frozen=True)
class Rendered:
    """A message as ``chat.postMessage`` takes it, and the full text when something was cut
    (the adapter posts it as a reply in the message's thread)."""

    text: str
    blocks: list[dict[str, Any]]
    overflow: str | None = None


def render(message: Message) -> Rendered:
    """``message`` as Block Kit: a card when it has one, else its text in one section."""
    if message.card is None:
        shown, was_cut = cut(escape(message.text), SECTION_TEXT)
        blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=shown))]
        if was_cut:
            blocks.append(_note())
        return Rendered(
            text=shown, blocks=_dicts(blocks), overflow=message.text if was_cut else None
        )
    card_blocks, was_cut = _card(message.card)
    fallback, _ = cut(escape(message.text or message.card.summary), SECTION_TEXT)
    return Rendered(
        text=fallback,
        blocks=_dicts(card_blocks),
        overflow=full_text(message.card) if was_cut else None,
    )


def full_text(card: Card) -> str:
    """Everything a card says, as plain text for the thread."""
    lines = [f"*{card.title}*", card.summary]
    lines += [f"{label}: {value}" for label, value in card.fields]
    if card.footer:
        lines.append(card.footer)
    return "\n".join(lines)


def _card(card: Card) -> tuple[list[Block], bool]:
    title, title_cut = cut(card.title, HEADER_TEXT)
    summary, summary_cut = cut(escape(card.summary), SECTION_TEXT)
    body: list[Block] = [
        HeaderBlock(text=title),
        SectionBlock(text=MarkdownTextObject(text=summary)),
    ]
    facts, facts_cut = _facts(card.fields)
    tail: list[Block] = []
    if card.buttons:
        tail.append(ActionsBlock(elements=button_elements(card.buttons)))
    if card.footer:
        footer, footer_cut = cut(escape(card.footer), SECTION_TEXT)
        tail.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    else:
        footer_cut = False
    room = MESSAGE_BLOCKS - len(body) - len(tail) - 1  # one for the note
    too_many = len(facts) > room
    was_cut = title_cut or summary_cut or facts_cut or footer_cut or too_many
    blocks = [*body, *facts[:room], *tail]
    if was_cut:
        blocks.append(_note())
    return blocks, was_cut


def _facts(fields: Sequence[tuple[str, str]]) -> tuple[list[Block], bool]:
    """Label and value pairs as section fields, ten to a section."""
    texts: list[str] = []
    any_cut = False
    for label, value in fields:
        shown, was_cut = cut(f"*{escape(label)}*\n{escape(value)}", FIELD_TEXT)
        texts.append(shown)
        any_cut = any_cut or was_cut
    sections: list[Block] = [
        SectionBlock(
            fields=[MarkdownTextObject(text=text) for text in texts[at : at + FIELDS_PER_SECTION]]
        )
        for at in range(0, len(texts), FIELDS_PER_SECTION)
    ]
    return sections, any_cut


def button_elements(buttons: Sequence[Button]) -> list[ButtonElement]:
    """Slack wants each action_id once in a block: buttons that share an action (a
    choice's options) get ``#1``, ``#2``… after it; their values tell them apart."""
    actions = [button.action for button in buttons]
    return [
        _button(button, f"{button.action}#{n}" if actions.count(button.action) > 1 else None)
        for n, button in enumerate(buttons, start=1)
    ]


def _button(button: Button, action_id: str | None = None) -> ButtonElement:
    label, _ = cut(button.label, BUTTON_TEXT)
    return ButtonElement(
        text=label,
        action_id=action_id or button.action,
        value=button.value,
        style=None if button.style == "default" else button.style,
    )


def _note() -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=CUT_NOTE)])


def _dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """The JSON Slack takes; ``to_dict`` raises when a limit is broken."""
    return [block.to_dict() for block in blocks]
