"""docs/validation-rules.md lists exactly the registered rules, so the page people read
never drifts from what the validator reports."""

from __future__ import annotations

from pathlib import Path

from bot.validation.rules import RULES

DOC = Path(__file__).parent.parent.parent / "docs" / "validation-rules.md"


def documented_rows() -> list[tuple[str, ...]]:
    rows = []
    for line in DOC.read_text().splitlines():
        cells = tuple(cell.strip() for cell in line.strip().strip("|").split("|"))
        if line.startswith("| SOP"):
            rows.append(cells)
    return rows


def test_the_rules_page_lists_every_rule_with_its_severity_summary_and_hint() -> None:
    registered = [
        (rule.code, str(rule.severity), rule.summary, rule.hint) for rule in RULES.values()
    ]
    assert documented_rows() == registered
