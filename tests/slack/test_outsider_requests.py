"""Slack Connect through the real Bolt app, with unusable model settings: a guest of another
organisation asking in words is refused as a start, with why, before sopbot reads the model
settings at all; only this workspace's people learn that free text cannot be read."""

from __future__ import annotations

import pytest

from tests.slack.surface import Surface

VENDOR = "U08VENDOR"
WORDS = "my order 1042 arrived broken, I want my money back"


def test_a_guest_asking_in_words_is_refused_whatever_the_model_settings(
    surface: Surface, monkeypatch: pytest.MonkeyPatch
) -> None:
    surface.slack.add_user(VENDOR, "vendor", team_id="T0OTHERORG")
    monkeypatch.setenv("SOPBOT_LLM_TIMEOUT", "0")  # unusable, found when free text comes in
    assert surface.sender.command(WORDS, user=VENDOR).status == 200
    surface.work()
    (answer,) = surface.whispers(VENDOR)
    assert answer.startswith(f"{VENDOR} is not a person of this workspace")
    assert "SOPBOT_LLM" not in answer
    (refusal,) = surface.audit("run.start")
    assert (refusal.actor, refusal.outcome, refusal.detail) == (
        VENDOR,
        "refused",
        {"request": WORDS},
    )

    surface.sender.command(WORDS, user="U02DEV")
    surface.work()
    (told,) = surface.whispers("U02DEV")
    assert told.startswith("Cannot read free text: SOPBOT_LLM_TIMEOUT"), "a person is told"
    assert surface.runs() == []
