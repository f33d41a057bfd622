"""The prepare step in the local console, with no model configured (the console drops every
SOPBOT_* setting of the shell): the approval card shows the package made from the facts,
and finance's click goes through."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agent.conftest import REFUND
from tests.console.terminal import Console, button, run_id


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    sops = tmp_path / "sops"
    sops.mkdir()
    (sops / "refund.yml").write_text(textwrap.dedent(REFUND))
    opened = Console(tmp_path, sops)
    try:
        yield opened
    finally:
        opened.child.terminate(force=True)
    assert "Traceback" not in opened.text(), opened.text()


def test_the_card_shows_the_facts_package_and_finance_approves_it(console: Console) -> None:
    console.type("/as @dev")
    started = console.type("/sop run refund order_id=1042 reason=damaged")
    run = run_id(started)
    assert "Prepared from" in started
    assert "the SOP's facts only (no model is configured)" in started
    assert "Order: 1042 (evidence: fact Order: 1042)" in started
    assert "nothing: a person weighs the facts" in started
    console.type("/as @sam")
    approved = console.type(button(started, "Approve"))
    assert "[sandbox] crm.refund order_id='1042' amount=640.0 reason='damaged'" in approved
    assert f"run {run} completed" in approved
