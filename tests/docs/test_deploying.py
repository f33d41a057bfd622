"""``docs/deploying.md`` documents every setting an operator can make."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings
from bot.secrets import PREFIX as SECRET_PREFIX

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "deploying.md"


def test_every_setting_has_a_row_in_the_settings_table() -> None:
    rows = set(re.findall(r"^\| `(SOPBOT_[A-Z_]+)", GUIDE.read_text(), re.M))
    settings = {f"SOPBOT_{name.upper()}" for name in Settings.model_fields}
    assert settings | {SECRET_PREFIX} == rows
