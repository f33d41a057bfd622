"""`/sop mode`: a procedure's owners change its mode without editing its file (DESIGN
promise 10, "only its owners change its mode"). Runs started afterwards take the new mode,
runs in flight keep theirs, a starter still only tightens it, and every change and refusal
is audited. On SQLite and PostgreSQL, through the real engine and front door."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.app.commands.service import CommandService
from bot.app.door import Started
from bot.cli.app import main
from bot.engine.errors import DecisionRefused, EngineError
from bot.harness import Harness
from storage import audit, runs
from storage.models import AuditEvent
from tests.app.door import door_of
from tests.engine.conftest import MakeHarness

ANNOUNCE = """\
    id: announce
    title: Announce a won deal
    owner: OWNER
    version: 1
    review: {every: 365d, last_reviewed: 2026-11-01}
    mode: assist
    trigger: {command: announce}
    permissions:
      allow: [slack.post]
    steps:
      - id: post
        action: slack.post
        with: {channel: "#ops", text: "We won a deal"}
        on_failure: {then: skip}
      - id: done
        end: completed
"""


def _announce(owner: str = "U01MARIA") -> str:
    return ANNOUNCE.replace("OWNER", owner)


def _mode_events(harness: Harness, outcome: str) -> list[AuditEvent]:
    with harness.database.session() as session:
        return [
            event
            for event in audit.recent(session)
            if event.action == "sop.mode" and event.outcome == outcome
        ]


def _start(harness: Harness, mode: str | None = None) -> str:
    started = door_of(harness).start("announce", {}, by="U02DEV", mode=mode)
    assert isinstance(started, Started)
    harness.engine.run_due()
    return started.run.id


def test_the_owner_changes_the_mode_and_the_next_run_uses_it(make_harness: MakeHarness) -> None:
    harness = make_harness(_announce())
    service = CommandService(door_of(harness))

    reply = service.handle('/sop mode announce autonomous "confirmations are all yes"', "U01MARIA")

    assert reply.ok, reply.text
    assert reply.text == (
        "Announce a won deal now runs in autonomous mode (it was assist): runs started from "
        "now on use it; runs already under way keep the mode they started in."
    )
    run_id = _start(harness)
    assert harness.run(run_id).mode == "autonomous"
    assert len(harness.tool_calls("slack.post")) == 1, "autonomous posts without a click"
    (changed,) = _mode_events(harness, "changed")
    assert changed.actor == "U01MARIA"
    assert changed.detail == {"sop": "announce", "mode": "autonomous", "was": "assist"}
    assert changed.reason == "confirmations are all yes"


def test_the_mode_command_tells_the_mode_and_who_set_it(make_harness: MakeHarness) -> None:
    harness = make_harness(_announce())
    service = CommandService(door_of(harness))
    before = service.handle("/sop mode announce", "U02DEV")
    assert before.ok
    assert before.text == (
        "announce runs in assist mode: each write waits for a one-click confirmation "
        "(as its file says).\nIts owner <@U01MARIA> changes it for new runs with "
        "/sop mode announce MODE [reason] (MODE: shadow, assist or autonomous)."
    )

    service.handle("/sop mode announce shadow new CRM under test", "U01MARIA")
    after = service.handle("/sop mode announce", "U02DEV").text

    set_at = harness.engine.runtime.clock.now()
    assert after.startswith(
        "announce runs in shadow mode: writes are recorded as what it would do, nothing is "
        f"changed (set by <@U01MARIA> on {set_at:%Y-%m-%d %H:%M} UTC with /sop mode: new CRM "
        "under test; its file says assist)."
    )


@pytest.mark.parametrize("who", ["U02DEV", "S01FINANCE", "C02SUPPORT"])
def test_only_the_owner_changes_the_mode_and_a_refusal_is_audited(
    make_harness: MakeHarness, who: str
) -> None:
    harness = make_harness(_announce())

    with pytest.raises(DecisionRefused) as refused:
        door_of(harness).set_mode("announce", "autonomous", who, "faster")

    assert str(refused.value) == (
        "only the owner of announce, <@U01MARIA>, changes its mode; ask them, or start a run "
        "more carefully yourself with --mode"
    )
    (event,) = _mode_events(harness, "refused")
    assert (event.actor, event.detail) == (who, {"sop": "announce", "mode": "autonomous"})
    assert _mode_events(harness, "changed") == []
    assert harness.run(_start(harness)).mode == "assist", "the file's mode still stands"


def test_a_member_of_the_owner_group_changes_the_mode(make_harness: MakeHarness) -> None:
    harness = make_harness(_announce(owner="S01FINANCE"))  # Sam and Maria are in finance

    door_of(harness).set_mode("announce", "shadow", "U03SAM")

    assert harness.run(_start(harness)).mode == "shadow"
    with pytest.raises(DecisionRefused):
        door_of(harness).set_mode("announce", "assist", "U02DEV")  # Dev is not


def test_a_run_in_flight_keeps_its_mode(make_harness: MakeHarness) -> None:
    harness = make_harness(_announce())
    in_flight = _start(harness)
    assert harness.run(in_flight).waiting_on == "approval", "assist: the post waits for a click"

    door_of(harness).set_mode("announce", "autonomous", "U01MARIA")
    (confirmation,) = harness.pending(in_flight)
    harness.decide(confirmation.id, "U01MARIA", "approve")

    assert harness.run(in_flight).mode == "assist"
    assert harness.run(in_flight).status == "completed"
    later = _start(harness)
    assert harness.run(later).mode == "autonomous"


def test_a_starter_may_not_run_below_the_mode_the_owner_set(make_harness: MakeHarness) -> None:
    harness = make_harness(_announce())
    door_of(harness).set_mode("announce", "shadow", "U01MARIA")

    reply = CommandService(door_of(harness)).handle("/sop run announce --mode=assist", "U02DEV")

    assert not reply.ok
    assert "announce runs in shadow mode; --mode=assist would make it less careful" in reply.text
    with harness.database.session() as session:
        assert runs.list_runs(session) == []


def test_setting_the_mode_it_has_changes_nothing(make_harness: MakeHarness) -> None:
    harness = make_harness(_announce())

    result = door_of(harness).set_mode("announce", "assist", "U01MARIA")

    assert result.message == "announce already runs in assist mode; nothing changed."
    assert _mode_events(harness, "changed") == []


def test_a_word_that_is_no_mode_is_named(make_harness: MakeHarness) -> None:
    harness = make_harness(_announce())
    with pytest.raises(EngineError, match="'fast' is not a mode"):
        door_of(harness).set_mode("announce", "fast", "U01MARIA")
    reply = CommandService(door_of(harness)).handle("/sop mode", "U01MARIA")
    assert not reply.ok
    assert "'mode' needs more: /sop mode NAME [MODE reason]" in reply.text


def test_list_and_show_give_the_mode_the_owner_set(make_harness: MakeHarness) -> None:
    harness = make_harness(_announce())
    service = CommandService(door_of(harness))
    service.handle("/sop mode announce autonomous", "U01MARIA")

    listed = service.handle("/sop list", "U02DEV").text
    shown = service.handle("/sop show announce", "U02DEV").text

    assert "Announce a won deal  (autonomous; /sop run announce)" in listed
    assert "mode:       autonomous (runs alone; a digest reports what it did)" in shown
    assert "with /sop mode; its file says assist" in shown


def test_sopbot_show_reads_the_mode_from_the_database(
    make_harness: MakeHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    harness = make_harness(_announce())
    door_of(harness).set_mode("announce", "shadow", "U01MARIA", "testing")
    sop = tmp_path / "announce.yml"
    sop.write_text(textwrap.dedent(_announce()))
    url = harness.database.url.render_as_string(hide_password=False)

    assert main(["show", str(sop), "--database", url]) == 0
    shown = capsys.readouterr().out
    assert main(["show", str(sop), "--database", f"sqlite:///{tmp_path / 'none.db'}"]) == 0
    without_database = capsys.readouterr().out

    assert "mode:       shadow (writes are recorded as 'would do', not executed)" in shown
    assert "with /sop mode: testing; its file says assist" in shown
    assert "mode:       assist (every write waits for a one-click approval)" in without_database
    assert not (tmp_path / "none.db").exists(), "show creates no database"
