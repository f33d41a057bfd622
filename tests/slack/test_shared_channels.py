"""Slack Connect through the real Bolt app: a person of another organisation posts in a
shared channel and can click sopbot's buttons there, but sopbot acts for this workspace's
people only. Their start and their approval are refused, told and audited like any refusal."""

from __future__ import annotations

from tests.slack.surface import Surface

SUPPORT = "C02SUPPORT"
VENDOR = "U08VENDOR"


def test_a_person_of_another_organisation_cannot_start_a_procedure(surface: Surface) -> None:
    surface.slack.add_user(VENDOR, "vendor", team_id="T0OTHERORG")
    surface.sender.command("run refund order_id=1042 reason=damaged", user=VENDOR)
    surface.work()
    assert surface.runs() == []
    assert "only people in the directory start procedures" in surface.whispers(VENDOR)[-1]
    (refusal,) = surface.audit("run.start")
    assert (refusal.actor, refusal.outcome) == (VENDOR, "refused")


def test_a_person_of_another_organisation_cannot_decide_an_approval(surface: Surface) -> None:
    """Even listed among the approvers (here in finance's group), an outsider decides nothing."""
    surface.slack.add_user(VENDOR, "vendor", is_stranger=True, team_id="T0OTHERORG")
    surface.slack.groups["S01FINANCE"]["users"].append(VENDOR)
    surface.sender.command("run refund order_id=1042 reason=damaged", user="U02DEV")
    surface.work()
    (run,) = surface.runs()
    (card,) = surface.cards(SUPPORT, "approve")

    surface.sender.click(card, "approve", user=VENDOR, channel=SUPPORT)
    surface.work()
    assert surface.run(run.id).status == "waiting_approval"
    assert surface.tool_calls("crm.refund") == []
    assert "only people in the directory decide" in surface.whispers(VENDOR)[-1]
    (refusal,) = surface.audit("approval.vote")
    assert (refusal.actor, refusal.outcome) == (VENDOR, "refused")
