"""Messages and cards as terminal text, with Slack mentions shown as names."""

from __future__ import annotations

import re
import textwrap

from bot.chat.messages import Card, Message, QuestionField
from bot.directory import Directory
from bot.identity import Kind, Mention, is_channel_id, replace_mentions

WIDTH = 78
LABEL_WIDTH = 22
"""Labels up to this long share a line with their value; longer ones get a line of their own."""


def humanise(text: str, directory: Directory) -> str:
    """``<@U03SAM>`` → ``@Sam``; groups and channels by their names."""

    def name(found: Mention) -> str:
        if found.kind is Kind.CHANNEL:
            return "#" + directory.display_name(found.id).lstrip("#")
        return "@" + directory.display_name(found.id)

    return replace_mentions(text, name)


def destination(to: str, directory: Directory) -> str:
    """Where a message went, as a person reads it: the run's thread, #channel or DM @name."""
    if to == "console":
        return "thread"
    if to.startswith("#"):
        return to
    if is_channel_id(to):
        name = directory.display_name(to)
        return "#" + name.lstrip("#") if name != to else to
    return "DM @" + directory.display_name(to)


def render_message(message: Message, directory: Directory, numbers: list[int]) -> str:
    """A message with its card; ``numbers`` are the console's button numbers, in order."""
    header = f"[{destination(message.to, directory)}]" + (
        " ALERT" if message.kind == "alert" else ""
    )
    if message.card is None:
        return f"{header} {humanise(message.text, directory)}"
    addressed = _addressed_to(message.text, message.card)
    if addressed:
        names = dict.fromkeys(humanise(addressed, directory).split(", "))
        header += f" for {', '.join(names)}"
    return f"{header}\n{render_card(message.card, directory, numbers)}"


def render_update(message: Message, directory: Directory) -> str:
    """A card replaced after a decision, in one line: its buttons are gone, so is the detail."""
    card = message.card
    if card is None:
        return (
            f"[{destination(message.to, directory)}] (edited) {humanise(message.text, directory)}"
        )
    outcome = card.footer or message.text
    return (
        f"[{destination(message.to, directory)}] {humanise(card.title, directory)}: "
        f"{humanise(outcome, directory)}"
    )


def prompt(field: QuestionField) -> str:
    """A question's field as a console prompt: ``Reason (damaged / late) (optional): ``."""
    choices = f" ({' / '.join(field.choices)})" if field.choices else ""
    optional = "" if field.required else " (optional)"
    return f"{field.label}{choices}{optional}: "


def render_card(card: Card, directory: Directory, numbers: list[int]) -> str:
    """A boxed card: title, summary, one line per field, numbered buttons, footer."""
    bar = "─" * WIDTH
    lines = [f"┌{bar}", f"│ {humanise(card.title, directory)}"]
    lines.extend(f"│ {line}" for line in _wrap(humanise(card.summary, directory), WIDTH - 2))
    for label, value in card.fields:
        lines.extend(_field_lines(label, humanise(value, directory)))
    if card.buttons:
        buttons = "   ".join(
            f"[{number}] {button.label}"
            for number, button in zip(numbers, card.buttons, strict=True)
        )
        lines.append(f"│ {buttons}")
    if card.footer:
        lines.append(f"│ {humanise(card.footer, directory)}")
    lines.append(f"└{bar}")
    return "\n".join(lines)


def _field_lines(label: str, value: str) -> list[str]:
    indent = " " * LABEL_WIDTH
    wrapped = _wrap(value, WIDTH - LABEL_WIDTH - 4)
    if len(label) > LABEL_WIDTH:
        return [f"│   {label}", *(f"│   {indent} {line}" for line in wrapped)]
    first, *more = wrapped
    return [f"│   {label:<{LABEL_WIDTH}} {first}", *(f"│   {indent} {line}" for line in more)]


def _wrap(text: str, width: int) -> list[str]:
    """Each paragraph (blank-line separated) wrapped to ``width``; at least one line."""
    lines: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        if lines:
            lines.append("")
        lines.extend(textwrap.wrap(paragraph, width))
    return lines or [""]


def _addressed_to(text: str, card: Card) -> str:
    """Who the message asks to act, when its text says more than the card (``@finance`` in
    ``"<!subteam^S01FINANCE>: Refund 640.0 USD"``); empty when the card says it all."""
    note = text
    for shown in (card.summary, card.footer or ""):
        if shown and note.endswith(shown):
            note = note[: -len(shown)]
    note = note.strip().rstrip(":").strip()
    return "" if not note or note in card.title or note == text.strip() else note
