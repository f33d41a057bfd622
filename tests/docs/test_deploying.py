"""``docs/deploying.md`` documents every setting an operator can make."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_origin

from pydantic.fields import FieldInfo

from bot.config import Settings
from bot.secrets import PREFIX as SECRET_PREFIX

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "deploying.md"


def documented_name(name: str, field: FieldInfo) -> str:
    """A mapping setting is one variable per key: ``SOPBOT_CONNECTOR_<namespace>``."""
    variable = f"SOPBOT_{name.upper()}"
    return f"{variable}_" if get_origin(field.annotation) is dict else variable


def test_every_setting_has_a_row_in_the_settings_table() -> None:
    rows = set(re.findall(r"^\| `(SOPBOT_[A-Z_]+)", GUIDE.read_text(), re.M))
    settings = {documented_name(name, field) for name, field in Settings.model_fields.items()}
    assert settings | {SECRET_PREFIX} == rows
