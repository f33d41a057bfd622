"""docs/sandbox.md is what a newcomer types ids from: it must list every demo record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.connectors.sandbox.demo_data import demo_records
from bot.connectors.sandbox.store import COUNTERS

GUIDE = Path(__file__).parents[2] / "docs" / "sandbox.md"


def test_the_guide_lists_every_seeded_record() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    records = demo_records(dt.datetime(2026, 11, 23, tzinfo=dt.UTC))

    missing = sorted(
        {key for kind, key, _ in records if kind != COUNTERS and f"`{key}`" not in text}
    )

    assert missing == []
