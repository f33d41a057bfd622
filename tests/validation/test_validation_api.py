"""The validator as the bot and other tools call it: defaults, a team's own connectors,
folders, and what a library may serve."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import Field

from bot.catalogue.builtin import BUILTIN_CONNECTORS
from bot.catalogue.operation import Args, ConnectorSpec, Operation, Result
from bot.catalogue.registry import Catalogue
from bot.validation import validator
from bot.validation.context import SopContext
from bot.validation.validator import validate_paths, validate_text

GOOD = (Path(__file__).parent / "good" / "refund-request.yml").read_text()
TODAY = dt.date(2026, 11, 22)
SHOP_SOP = """\
id: restock
title: Restock an item
owner: U0OWNER1
version: 1
review: {every: 90d, last_reviewed: 2026-11-01}
trigger: {command: restock}
permissions:
  allow: [shop.restock]
steps:
  - id: restock
    action: shop.restock
    with: {sku: A-1, quantity: 0}
    on_failure: escalate
escalation: {to: [U0LEAD01]}
"""


class RestockArgs(Args):
    sku: str
    quantity: int = Field(ge=1)


class Restocked(Result):
    sku: str


SHOP = ConnectorSpec(
    "shop",
    "Shop",
    (Operation("shop.restock", "Restock", RestockArgs, Restocked, writes=True, idempotent=True),),
)


def codes(text: str, today: dt.date | None = None) -> list[str]:
    return [d.code for d in validate_text(text, today=today).diagnostics]


def test_a_teams_own_connector_is_checked_like_the_built_in_ones() -> None:
    assert codes(SHOP_SOP, today=TODAY) == ["SOP201", "SOP201"]
    shop = Catalogue([*BUILTIN_CONNECTORS, SHOP])
    [finding] = validate_text(SHOP_SOP, catalogue=shop, today=TODAY).diagnostics
    assert (finding.code, finding.location) == ("SOP204", "steps[0].with.quantity")


def test_today_defaults_to_the_real_date() -> None:
    stale = GOOD.replace("last_reviewed: 2026-10-01", "last_reviewed: 2001-01-01")
    assert codes(stale) == ["SOP502"]


def test_findings_are_sorted_by_position() -> None:
    text = GOOD.replace("crm.get_account", "crm.get_acount").replace("every: 90d", "every: 1d")
    findings = validate_text(text, today=TODAY).diagnostics
    assert [d.code for d in findings] == ["SOP502", "SOP201"]
    assert [d.line for d in findings] == sorted(d.line for d in findings)


def test_a_folder_serves_files_without_errors_and_skips_hidden_folders(tmp_path: Path) -> None:
    (tmp_path / "refund.yml").write_text(GOOD)
    (tmp_path / "stale.yaml").write_text(
        GOOD.replace("id: refund-request", "id: stale")
        .replace("command: refund", "command: stale")
        .replace("last_reviewed: 2026-10-01", "last_reviewed: 2020-01-01")
    )
    (tmp_path / "broken.yml").write_text("id: [\n")
    (tmp_path / ".drafts").mkdir()
    (tmp_path / ".drafts" / "draft.yml").write_text("id: [\n")
    report = validate_paths([tmp_path, tmp_path / "refund.yml"], today=TODAY)
    assert [Path(f.file).name for f in report.files] == ["broken.yml", "refund.yml", "stale.yaml"]
    assert (report.error_count, report.warning_count) == (1, 1)
    assert [p.id for p in report.procedures] == ["refund-request", "stale"]
    assert [d.code for d in report.diagnostics] == ["SOP001", "SOP502"]


def test_a_failing_check_is_reported_and_the_other_checks_still_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken_check(context: SopContext) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(validator, "CHECKS", (broken_check, *validator.CHECKS))
    stale = GOOD.replace("last_reviewed: 2026-10-01", "last_reviewed: 2001-01-01")
    findings = validate_text(stale, today=TODAY).diagnostics
    assert [(d.code, d.message) for d in findings] == [
        ("SOP000", "the check broken_check failed: RuntimeError('boom')"),
        ("SOP502", findings[1].message),
    ]
