"""Messages and cards as terminal text, with Slack mentions shown as names."""

from __future__ import annotations

import re
import textwrap

from bot.chat.messages import Card, Message
from bot.directory import Directory

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>|<!subteam\^(S[A-Z0-9]+)>|<#([CG][A-Z0-9]+)>")
WIDTH = 78


def humanise(text: str, directory: Directory) -> str:
    """``<@U03SAM>`` → ``@Sam``; groups and channels by their names."""

    def name(match: re.Match[str]) -> str:
        user, group, channel = match.groups()
        if channel:
            return "#" + directory.display_name(channel).lstrip("#")
        return "@" + directory.display_name(user or group)

    return _MENTION.sub(name, text)


def destination(to: str, directory: Directory) -> str:
    """Where a message went, as a person reads it."""
    if to == "console":
        return "thread"
    if to.startswith("#"):
        return to
    if to[:1] in ("C", "G"):
        return (
            "#" + directory.display_name(to).lstrip("#") if directory.display_name(to) != to else to
        )
    return "DM @" + directory.display_name(to)


def render_message(message: Message, directory: Directory, numbers: list[int]) -> str:
    """A message with its card; ``numbers`` are the console's button numbers, in order."""
    header = f"[{destination(message.to, directory)}]" + (
        " ALERT" if message.kind == "alert" else ""
    )
    if message.card is None:
        return f"{header} {humanise(message.text, directory)}"
    return f"{header}\n{render_card(message.card, directory, numbers)}"


def render_card(card: Card, directory: Directory, numbers: list[int]) -> str:
    bar = "─" * WIDTH
    lines = [f"┌{bar}", f"│ {humanise(card.title, directory)}"]
    lines.extend(
        f"│ {line}" for line in textwrap.wrap(humanise(card.summary, directory), WIDTH - 2) or [""]
    )
    for label, value in card.fields:
        text = humanise(value, directory)
        wrapped = textwrap.wrap(text, WIDTH - 24) or [""]
        lines.append(f"│   {label[:20]:<20} {wrapped[0]}")
        lines.extend(f"│   {'':<20} {more}" for more in wrapped[1:])
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
