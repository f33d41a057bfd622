"""Slack's ID shapes and mention syntax: the one place that knows them.

Slack names everything by an ID whose first letter says what it is: ``U`` or ``W`` a person
(``W`` on Enterprise Grid), ``S`` a user group, ``C`` a channel (``G`` an older private one);
a channel may also be named ``#like-this``. Messages refer to them with mentions (``<@U…>``,
``<!subteam^S…>``, ``<#C…>``, each with an optional ``|label``). The procedure model, the
engine and the surfaces ask here instead of testing letters themselves, so a new shape
changes one file. This module imports nothing of sopbot: every layer may use it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

USER_ID = r"[UW][A-Z0-9]{2,}"
GROUP_ID = r"S[A-Z0-9]{2,}"
CHANNEL_ID = r"[CG][A-Z0-9]{2,}"
CHANNEL_NAME = r"#[a-z0-9][a-z0-9_-]*"
"""Unanchored pieces, for composing patterns such as an SOP's target or a JSON Schema."""

_USER_ID = re.compile(USER_ID)
_GROUP_ID = re.compile(GROUP_ID)
_CHANNEL_ID = re.compile(CHANNEL_ID)
_CHANNEL_NAME = re.compile(CHANNEL_NAME)
_LABEL = r"(?:\|[^>]*)?"
_MENTION = re.compile(
    rf"<@(?P<user>{USER_ID}){_LABEL}>"
    rf"|<!subteam\^(?P<group>{GROUP_ID}){_LABEL}>"
    rf"|<#(?P<channel>{CHANNEL_ID}){_LABEL}>"
)


class Kind(StrEnum):
    """What an ID names."""

    USER = "user"
    GROUP = "group"
    CHANNEL = "channel"


@dataclass(frozen=True)
class Mention:
    """One mention found in text: what it names and the ID."""

    kind: Kind
    id: str


def is_user_id(text: str) -> bool:
    """A person's ID (``U03SAM``, ``W07EVE``)."""
    return _USER_ID.fullmatch(text) is not None


def is_group_id(text: str) -> bool:
    """A user group's ID (``S01FINANCE``)."""
    return _GROUP_ID.fullmatch(text) is not None


def is_channel_id(text: str) -> bool:
    """A channel's ID (``C02SUPPORT``, or a private channel's ``G…``)."""
    return _CHANNEL_ID.fullmatch(text) is not None


def is_channel_name(text: str) -> bool:
    """A channel by name, ``#`` included (``#ops``)."""
    return _CHANNEL_NAME.fullmatch(text) is not None


def is_address(text: str) -> bool:
    """Anyone or anywhere a message can be sent to as it stands: a user, group or channel
    ID, or a ``#channel``; not a role, a display name or a template."""
    return is_user_id(text) or is_group_id(text) or is_channel_id(text) or is_channel_name(text)


def kind_of(slack_id: str) -> Kind | None:
    """What an ID names, or None when it has no ID shape."""
    if is_user_id(slack_id):
        return Kind.USER
    if is_group_id(slack_id):
        return Kind.GROUP
    if is_channel_id(slack_id):
        return Kind.CHANNEL
    return None


def mention(target: str) -> str:
    """``U…`` → ``<@U…>``, ``S…`` → ``<!subteam^S…>``, ``C…`` → ``<#C…>``; anything else
    (a ``#channel``, a name) as is."""
    kind = kind_of(target)
    if kind is Kind.USER:
        return f"<@{target}>"
    if kind is Kind.GROUP:
        return f"<!subteam^{target}>"
    if kind is Kind.CHANNEL:
        return f"<#{target}>"
    return target


def mentions(targets: Iterable[str]) -> str:
    """Several mentions, comma separated."""
    return ", ".join(mention(target) for target in targets)


def parse_mention(text: str) -> Mention | None:
    """The mention that ``text`` is, in whole (``<@U03SAM|sam>`` → user ``U03SAM``), or None."""
    match = _MENTION.fullmatch(text)
    return None if match is None else _from_match(match)


def replace_mentions(text: str, replace: Callable[[Mention], str]) -> str:
    """``text`` with each mention in it replaced by what ``replace`` makes of it."""
    return _MENTION.sub(lambda match: replace(_from_match(match)), text)


def user_id_in(text: str) -> str | None:
    """The person a typed value names: an ID, ``@`` and an ID, or a user mention; else None."""
    found = parse_mention(text)
    if found is not None:
        return found.id if found.kind is Kind.USER else None
    bare = text.removeprefix("@")
    return bare if is_user_id(bare) else None


def channel_in(text: str) -> str | None:
    """The channel a typed value names: its ID (bare or as a mention) or ``#name``; else None."""
    found = parse_mention(text)
    if found is not None:
        return found.id if found.kind is Kind.CHANNEL else None
    return text if is_channel_id(text) or is_channel_name(text) else None


def _from_match(match: re.Match[str]) -> Mention:
    user, group, channel = match.group("user", "group", "channel")
    if user:
        return Mention(Kind.USER, user)
    if group:
        return Mention(Kind.GROUP, group)
    return Mention(Kind.CHANNEL, channel)


def inert(text: str, longest: int) -> str:
    """Text someone else wrote (a model, a request) as people are shown it: mentions written
    out without the syntax that pings (``<@U1>`` → ``@U1``; broadcasts and links are
    escaped where the surface shows them), and cut to ``longest`` characters."""
    plain = replace_mentions(text[: longest * 4], _written_out)
    return plain if len(plain) <= longest else plain[: longest - 1].rstrip() + "…"


def _written_out(found: Mention) -> str:
    return ("#" if found.kind is Kind.CHANNEL else "@") + found.id
