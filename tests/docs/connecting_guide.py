"""The code blocks of ``docs/connecting-tools.md`` that name a file, and the guide's team
connector (``acme_shop``) written out as a package, for the tests that run it."""

from __future__ import annotations

import re
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "connecting-tools.md"
PACKAGE_FILES = ("acme_shop/__init__.py", "acme_shop/connector.py")
_FENCE = re.compile(r"^```(?:python|toml|yaml)\n# (?P<name>\S+)\n(?P<body>.*?)^```", re.M | re.S)


def guide_files() -> dict[str, str]:
    """The guide's code blocks whose first line names a file, by that name."""
    return {match["name"]: match["body"] for match in _FENCE.finditer(GUIDE.read_text())}


def write_package(folder: Path) -> Path:
    """Write the guide's ``acme_shop`` package into ``folder``; the folder to import it from."""
    files = guide_files()
    for name in PACKAGE_FILES:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(files[name])
    return folder
