"""Slack's ID shapes and mentions, known in one module: each shape is told apart from the
others, a mention is read back as what it was written from, and typed values are read."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.identity import (
    Kind,
    Mention,
    channel_in,
    is_address,
    is_channel_id,
    is_channel_name,
    is_group_id,
    is_user_id,
    kind_of,
    mention,
    mentions,
    parse_mention,
    replace_mentions,
    user_id_in,
)
from bot.procedure.types import TARGET_PATTERN

_TAIL = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=2, max_size=12)
_PREFIXES = {Kind.USER: "UW", Kind.GROUP: "S", Kind.CHANNEL: "CG"}


@st.composite
def slack_ids(draw: st.DrawFn) -> tuple[Kind, str]:
    kind = draw(st.sampled_from(list(Kind)))
    return kind, draw(st.sampled_from(_PREFIXES[kind])) + draw(_TAIL)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("U03SAM", Kind.USER),
        ("W07EVE", Kind.USER),
        ("S01FINANCE", Kind.GROUP),
        ("C02SUPPORT", Kind.CHANNEL),
        ("G01PRIVATE", Kind.CHANNEL),
        ("U1", None),
        ("u03sam", None),
        ("X03SAM", None),
        ("U03-SAM", None),
        ("<@U03SAM>", None),
        ("#ops", None),
        ("", None),
    ],
)
def test_each_shape_is_told_apart(text: str, kind: Kind | None) -> None:
    assert kind_of(text) == kind
    assert is_user_id(text) == (kind is Kind.USER)
    assert is_group_id(text) == (kind is Kind.GROUP)
    assert is_channel_id(text) == (kind is Kind.CHANNEL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("#ops", True), ("#support-tier-2", True), ("#Ops", False), ("ops", False), ("#", False)],
)
def test_channel_names(text: str, expected: bool) -> None:
    assert is_channel_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("U03SAM", True),
        ("S01FINANCE", True),
        ("C02SUPPORT", True),
        ("#ops", True),
        ("role:finance", False),
        ("starter", False),
        ("{{ employee.supervisor }}", False),
        ("Maria", False),
    ],
)
def test_an_address_is_an_id_or_a_channel_name(text: str, expected: bool) -> None:
    assert is_address(text) == expected


def test_mentions_use_each_kinds_syntax() -> None:
    assert mention("U03SAM") == "<@U03SAM>"
    assert mention("S01FINANCE") == "<!subteam^S01FINANCE>"
    assert mention("C02SUPPORT") == "<#C02SUPPORT>"
    assert mention("#ops") == "#ops"
    assert mentions(["U03SAM", "S01FINANCE"]) == "<@U03SAM>, <!subteam^S01FINANCE>"


@given(slack_ids())
def test_a_mention_reads_back_as_what_it_was_written_from(kind_and_id: tuple[Kind, str]) -> None:
    kind, slack_id = kind_and_id
    assert parse_mention(mention(slack_id)) == Mention(kind, slack_id)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U03SAM|sam>", Mention(Kind.USER, "U03SAM")),
        ("<!subteam^S01FINANCE|@finance>", Mention(Kind.GROUP, "S01FINANCE")),
        ("<#C02SUPPORT|support>", Mention(Kind.CHANNEL, "C02SUPPORT")),
        ("U03SAM", None),
        ("<@U03SAM> hi", None),
        ("<@S01FINANCE>", None),
        ("<!subteam^U03SAM>", None),
    ],
)
def test_parse_mention_reads_one_whole_mention(text: str, expected: Mention | None) -> None:
    assert parse_mention(text) == expected


def test_replace_mentions_rewrites_each_mention_in_text() -> None:
    text = "Escalated to <@U03SAM>, <!subteam^S01FINANCE> in <#C02SUPPORT|support>: <@u1>"
    shown = replace_mentions(text, lambda found: f"{found.kind}:{found.id}")
    assert shown == "Escalated to user:U03SAM, group:S01FINANCE in channel:C02SUPPORT: <@u1>"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("U03SAM", "U03SAM"),
        ("@U03SAM", "U03SAM"),
        ("<@U03SAM>", "U03SAM"),
        ("<@U03SAM|sam>", "U03SAM"),
        ("S01FINANCE", None),
        ("<#C02SUPPORT>", None),
        ("sam", None),
    ],
)
def test_a_typed_user_is_an_id_or_a_user_mention(typed: str, expected: str | None) -> None:
    assert user_id_in(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("C02SUPPORT", "C02SUPPORT"),
        ("<#C02SUPPORT|support>", "C02SUPPORT"),
        ("#support", "#support"),
        ("<@U03SAM>", None),
        ("support", None),
    ],
)
def test_a_typed_channel_is_an_id_a_mention_or_a_name(typed: str, expected: str | None) -> None:
    assert channel_in(typed) == expected


@given(slack_ids())
def test_an_sop_target_accepts_exactly_the_id_shapes(kind_and_id: tuple[Kind, str]) -> None:
    _, slack_id = kind_and_id
    assert re.match(TARGET_PATTERN, slack_id)
    assert not re.match(TARGET_PATTERN, mention(slack_id))
