"""The sandbox directory resolves the IDs, handles and channel names people type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.connectors.sandbox import SandboxDirectory, SandboxTools, reset
from bot.connectors.sandbox.demo_data import STAFF
from bot.directory import Directory
from storage.database import Database


@pytest.fixture
def directory(database: Database, sandbox: SandboxTools) -> Directory:
    return SandboxDirectory(database)


def test_people_are_found_by_handle_with_or_without_at_or_by_id(directory: Directory) -> None:
    for typed in ("@maria", "maria", "Maria", " @maria ", "U01MARIA", "u01maria"):
        assert directory.find_user(typed) == "U01MARIA", typed
    assert directory.find_user("@nobody") is None
    assert directory.find_user("") is None
    assert {directory.find_user(f"@{handle}") for _, handle, *_ in STAFF} == {
        user_id for user_id, *_ in STAFF
    }


def test_display_names_cover_people_groups_and_channels_and_strangers_keep_their_id(
    directory: Directory,
) -> None:
    shown = [directory.display_name(i) for i in ("U01MARIA", "U05VP", "S01FINANCE", "C03VP")]

    assert shown == ["Maria", "Val", "finance", "vp-escalations"]
    assert directory.display_name("U404") == "U404"


def test_user_groups_resolve_to_their_members(directory: Directory) -> None:
    assert directory.members("S01FINANCE") == {"U03SAM", "U01MARIA"}
    assert directory.members("S02SUPPORTLEADS") == {"U04LEE", "U05VP"}
    assert directory.members("S404") == frozenset()


def test_channels_resolve_by_name_or_id_including_ones_created_since(
    directory: Directory, call: Callable[..., dict[str, Any]]
) -> None:
    created = call("slack.create_channel", {"name": "onboarding-pioneer"})

    assert [directory.channel_id(c) for c in ("#ops", "ops", "C01OPS")] == ["C01OPS"] * 3
    assert directory.channel_id("#vp-escalations") == "C03VP"
    assert directory.channel_id("#finance") == "C04FINANCE"
    assert directory.channel_id("#onboarding-pioneer") == created["channel"]
    assert directory.channel_id("#random") is None


def test_who_is_a_person_is_read_once_per_ttl_and_seen_anew_after_it(
    database: Database, sandbox: SandboxTools
) -> None:
    """Every start asks whether its starter is a person, so the answer is kept a while; a
    reset sandbox (nobody left) is seen once the kept list runs out, never later."""
    now = [0.0]
    directory = SandboxDirectory(database, ttl=30.0, clock=lambda: now[0])
    assert directory.is_person("U01MARIA")
    assert not directory.is_person("S01FINANCE")
    reset(database)

    now[0] = 29.0
    assert directory.is_person("U01MARIA")
    now[0] = 30.0
    assert not directory.is_person("U01MARIA")
