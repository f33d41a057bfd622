"""One finding about a procedure file, printed ruff-style or as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """``file:line:col: CODE location: message`` plus a hint on how to fix it."""

    file: str
    line: int
    column: int
    code: str
    severity: Severity
    location: str
    message: str
    hint: str | None = None

    def render(self) -> str:
        """The one-line form editors and CI logs understand."""
        where = f"{self.location}: " if self.location else ""
        return f"{self.file}:{self.line}:{self.column}: {self.code} {where}{self.message}"

    def as_json(self) -> dict[str, Any]:
        """A plain dict for ``--format json``."""
        return asdict(self)


def format_location(path: tuple[str | int, ...]) -> str:
    """``('steps', 2, 'action')`` → ``steps[2].action``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text
