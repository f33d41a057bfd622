"""One finding of ``sopbot doctor`` and how findings are shown: a line each for people, one
document for scripts, every registered secret masked in both."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal

from bot.catalogue.operation import Health
from storage.redaction import redact

Status = Literal["ok", "warn", "FAIL"]


@dataclass(frozen=True)
class Finding:
    """What was checked, how it went, and what was found or what to fix."""

    status: Status
    subject: str
    detail: str

    @classmethod
    def of(cls, health: Health, within: str) -> Finding:
        """A connector's own check, its subject shown under the namespaces ``within``."""
        status: Status = "FAIL" if not health.ok else "warn" if health.warning else "ok"
        return cls(status, f"{within}: {health.subject}", health.detail)


def ok(subject: str, detail: str) -> Finding:
    return Finding("ok", subject, detail)


def warn(subject: str, detail: str) -> Finding:
    return Finding("warn", subject, detail)


def fail(subject: str, detail: str) -> Finding:
    return Finding("FAIL", subject, detail)


def failed(findings: list[Finding]) -> bool:
    """True when any check failed (warnings do not count)."""
    return any(finding.status == "FAIL" for finding in findings)


def as_text(findings: list[Finding]) -> str:
    """One line per finding: status, subject, what was found."""
    return "\n".join(
        redact(f"{finding.status:<4}  {finding.subject}: {finding.detail}") for finding in findings
    )


def as_json(findings: list[Finding]) -> str:
    """``{"ok": …, "checks": [{"status", "subject", "detail"}, …]}``."""
    document = {"ok": not failed(findings), "checks": [asdict(f) for f in findings]}
    return redact(json.dumps(document, indent=2, ensure_ascii=False))
