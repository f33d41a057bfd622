"""Operators set sopbot through SOPBOT_* variables; mistakes are one clear line."""

from __future__ import annotations

import pytest

from bot.config import SettingsProblem, load_settings


def test_connectors_are_a_comma_separated_list_or_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPBOT_CONNECTORS", "shop.tools:SPEC, warehouse.tools:SPEC")
    assert load_settings().connectors == ["shop.tools:SPEC", "warehouse.tools:SPEC"]
    monkeypatch.setenv("SOPBOT_CONNECTORS", '["shop.tools:SPEC"]')
    assert load_settings().connectors == ["shop.tools:SPEC"]


def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPBOT_LEASE_SECONDS", "1")
    with pytest.raises(
        SettingsProblem, match="SOPBOT_LEASE_SECONDS: Input should be greater than or equal to 5"
    ):
        load_settings()


def test_the_defaults_need_no_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SOPBOT_DATABASE_URL", "SOPBOT_SLACK_BOT_TOKEN", "SOPBOT_CONNECTORS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite:///var/sopbot.db"
    assert not settings.slack_enabled
