"""Text for Slack: escaped as mrkdwn wants, and cut to Block Kit's limits without breaking
an entity or a mention in half."""

from __future__ import annotations

import re

from bot.identity import Mention, mention, replace_mentions

ELLIPSIS = "…"

_TOKEN = "\x00{}\x00"
_TOKEN_BACK = re.compile("\x00(\\d+)\x00")
_BROKEN_TAIL = re.compile(r"(&[a-z]{0,4}|<[^>]*)$")
"""A cut that ends inside ``&amp;`` or a ``<@U…>`` mention leaves this behind."""


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` escaped as Slack asks, mentions of people, groups and channels
    kept as mentions (they are how a card names who decides)."""
    kept: list[str] = []

    def hold(found: Mention) -> str:
        kept.append(mention(found.id))
        return _TOKEN.format(len(kept) - 1)

    held = replace_mentions(text, hold)
    escaped = held.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _TOKEN_BACK.sub(lambda match: kept[int(match.group(1))], escaped)


def cut(text: str, limit: int) -> tuple[str, bool]:
    """``text`` within ``limit`` characters, ending in "…" when it had to be shortened (at a
    space when one is near); and whether it was."""
    if len(text) <= limit:
        return text, False
    head = text[: limit - len(ELLIPSIS)]
    space = head.rfind(" ", len(head) * 4 // 5)
    if space > 0:
        head = head[:space]
    head = _BROKEN_TAIL.sub("", head).rstrip()
    return head + ELLIPSIS, True


def pieces(text: str, limit: int) -> list[str]:
    """``text`` in consecutive pieces of at most ``limit`` characters, split at line ends
    (or spaces) where it can be, so a long text reads on across thread replies."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        split = rest.rfind("\n", 0, limit)
        if split <= 0:
            split = rest.rfind(" ", 0, limit)
        if split <= 0:
            split = limit
        parts.append(rest[:split].rstrip())
        rest = rest[split:].lstrip()
    if rest:
        parts.append(rest)
    return parts
