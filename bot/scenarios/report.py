"""Scenario results for people (pytest-like text) and for CI (one JSON document)."""

from __future__ import annotations

from typing import Any

from bot.scenarios.results import ScenarioResult, SuiteResult

RULE = "=" * 30


def result_line(result: ScenarioResult) -> str:
    """``refund-request::A small refund goes straight through PASSED``."""
    return f"{result.title} {'PASSED' if result.passed else 'FAILED'}"


def failure_details(result: ScenarioResult) -> list[str]:
    """Where it failed, expected against actual, where the run stands and its journal."""
    failure = result.failure
    if failure is None:
        return []
    lines = [f"___ {result.title} ___", f"{failure.where}: {failure.step}: {failure.message}"]
    for mismatch in failure.mismatches:
        lines.append(f"  {mismatch.what}:")
        lines.extend(_labelled("expected:", mismatch.expected))
        lines.extend(_labelled("actual:  ", mismatch.actual))
    if result.run:
        lines.append(result.run)
    if result.journal:
        lines.append("journal:")
        lines.extend(f"  {line}" for line in result.journal)
    return lines


def _labelled(label: str, value: str) -> list[str]:
    """``expected: x`` on one line, or the label and then one indented line per item."""
    if "\n" not in value:
        return [f"    {label} {value}"]
    return [f"    {label.rstrip()}", *(f"      {line}" for line in value.splitlines())]


def closing_lines(suite: SuiteResult) -> list[str]:
    """Everything after the per-scenario lines, ending with the summary alone on its line."""
    lines: list[str] = []
    failed = [result for result in suite.results if not result.passed]
    if failed:
        lines.append(f"{RULE} FAILURES {RULE}")
        for result in failed:
            lines.extend(failure_details(result))
    if suite.diagnostics:
        lines.append(f"{RULE} FILES THAT CANNOT RUN {RULE}")
        for diagnostic in suite.diagnostics:
            lines.append(diagnostic.render())
            if diagnostic.hint:
                lines.append(f"    hint: {diagnostic.hint}")
    for sop in suite.untested:
        lines.append(f"no scenarios for {sop}")
    lines.append(suite.summary())
    return lines


def as_json(suite: SuiteResult) -> dict[str, Any]:
    """The whole outcome as one document."""
    return {
        "passed": suite.passed,
        "failed": suite.failed,
        "broken": suite.broken,
        "diagnostics": [diagnostic.as_json() for diagnostic in suite.diagnostics],
        "untested": suite.untested,
        "scenarios": [_result_json(result) for result in suite.results],
    }


def _result_json(result: ScenarioResult) -> dict[str, Any]:
    failure = result.failure
    return {
        "file": result.file,
        "sop": result.sop_id,
        "name": result.name,
        "outcome": "passed" if result.passed else "failed",
        "seconds": round(result.seconds, 3),
        "failure": None
        if failure is None
        else {
            "where": failure.where,
            "step": failure.step,
            "message": failure.message,
            "mismatches": [
                {"what": m.what, "expected": m.expected, "actual": m.actual}
                for m in failure.mismatches
            ],
            "run": result.run,
            "journal": list(result.journal),
        },
    }
