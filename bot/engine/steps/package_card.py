"""How an approval shows the package a prepare step made: what the people deciding read
before they click, and what their decision covers (it is part of the hashed package)."""

from __future__ import annotations

from typing import Any

SHOWN = ("summary", "findings", "recommendation", "confidence", "draft", "source", "reads", "note")


def shown_package(package: dict[str, Any]) -> dict[str, Any]:
    """The package as the approval pins it: its contents, not the engine's bookkeeping."""
    return {key: package[key] for key in SHOWN if key in package}


def package_fields(prepared: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The card's lines for a prepared package (none without one)."""
    if not prepared:
        return []
    if prepared.get("source") == "facts":
        lines = [("Prepared from", f"the SOP's facts only ({prepared.get('note')})")]
    else:
        lines = [
            (
                "Prepared by",
                "a model, reading " + (", ".join(prepared.get("reads", [])) or "nothing"),
            )
        ]
    lines.append(("Assessment", str(prepared.get("summary", ""))))
    for number, finding in enumerate(prepared.get("findings", []), start=1):
        evidence = "; ".join(finding.get("evidence", [])) or "no evidence given"
        lines.append((f"Finding {number}", f"{finding.get('text')} (evidence: {evidence})"))
    recommendation = prepared.get("recommendation")
    if recommendation is not None:
        lines.append(
            ("Recommends", f"{recommendation} (confidence {prepared.get('confidence', 0):.0%})")
        )
    else:
        lines.append(("Recommends", "nothing: a person weighs the facts"))
    if prepared.get("draft"):
        lines.append(("Draft", str(prepared["draft"])))
    if prepared.get("source") != "facts" and prepared.get("note"):
        lines.append(("Note", str(prepared["note"])))
    return lines
