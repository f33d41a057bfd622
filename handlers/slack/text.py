"""A person's words as Slack delivers them, read back as they were typed: Slack wraps links
and mentions in markup and sends ``&``, ``<`` and ``>`` as entities in messages and in
slash commands alike."""

from __future__ import annotations

import re

from bot.identity import Kind, Mention, replace_mentions

_MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
"""Slack's markup in a message: ``<target>`` or ``<target|label>``."""
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def as_written(text: str) -> str:
    """``text`` as the person typed it: links as their label (an e-mail address as the
    address), ``&amp;`` as ``&``; people and groups as ``@ID`` text, so quoting it mentions
    no one (a channel stays a channel: naming one pings nobody)."""
    text = _MARKUP.sub(_shown, _plain_mentions(text))
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return _plain_mentions(text)  # also what was typed as mention markup, now decoded


def _shown(link: re.Match[str]) -> str:
    """A link or special mention (``<!here>``) as it shows: its label, else its target."""
    target, label = link.group(1), link.group(2)
    if target.startswith("#"):  # a channel mention: kept
        return link.group(0)
    if target.startswith("!"):
        return label or "@" + target[1:].split("^")[0]
    return label or target.removeprefix("mailto:")


def _plain_mentions(text: str) -> str:
    def plain(found: Mention) -> str:
        return f"<#{found.id}>" if found.kind is Kind.CHANNEL else f"@{found.id}"

    return replace_mentions(text, plain)
