"""The Slack directory: people, groups and channels from the Web API, kept for a while."""

from __future__ import annotations

from bot.adapters.slack.directory import TTL_SECONDS, SlackDirectory
from tests.slack.conftest import Ticks
from tests.slack.fake_web_api import FakeSlack


def test_a_person_is_looked_up_once_within_the_ttl_and_again_after(
    slack: FakeSlack, directory: SlackDirectory, ticks: Ticks
) -> None:
    assert directory.display_name("U02DEV") == "Dev"
    assert directory.is_person("U02DEV")
    assert len(slack.calls_to("users.info")) == 1
    slack.users["U02DEV"]["deleted"] = True  # Dev leaves the company
    ticks.now += TTL_SECONDS - 1
    assert directory.is_person("U02DEV")
    ticks.now += 2
    assert not directory.is_person("U02DEV")
    assert len(slack.calls_to("users.info")) == 2


def test_group_members_are_cached_and_a_new_member_counts_after_the_ttl(
    slack: FakeSlack, directory: SlackDirectory, ticks: Ticks
) -> None:
    assert directory.members("S01FINANCE") == {"U03SAM"}
    slack.groups["S01FINANCE"]["users"].append("U01MARIA")
    assert directory.members("S01FINANCE") == {"U03SAM"}
    ticks.now += TTL_SECONDS
    assert directory.members("S01FINANCE") == {"U03SAM", "U01MARIA"}
    assert len(slack.calls_to("usergroups.users.list")) == 2
    assert directory.members("S09NONE") == frozenset()


def test_only_active_people_are_people(slack: FakeSlack, directory: SlackDirectory) -> None:
    slack.add_user("U05GONE", "gone", deleted=True)
    slack.add_user("U06BOT", "deploybot", is_bot=True)
    assert directory.is_person("U03SAM")
    for not_a_person in ("S01FINANCE", "C03OPS", "#ops", "U05GONE", "U06BOT", "U07NOBODY"):
        assert not directory.is_person(not_a_person), not_a_person
    # a group or channel ID is decided by its shape: Slack is never asked about it
    assert {call.args.get("user") for call in slack.calls_to("users.info")} == {
        "U03SAM",
        "U05GONE",
        "U06BOT",
        "U07NOBODY",
    }


def test_names_handles_and_channels_come_from_slack(
    slack: FakeSlack, directory: SlackDirectory
) -> None:
    assert directory.display_name("S01FINANCE") == "finance"
    assert directory.display_name("C03OPS") == "ops"
    assert directory.display_name("U07NOBODY") == "U07NOBODY"
    assert directory.find_user("@sam") == "U03SAM"
    assert directory.find_user("<@U01MARIA>") == "U01MARIA"
    assert directory.find_user("@nobody") is None
    assert directory.channel_id("#support") == "C02SUPPORT"
    assert directory.channel_id("ops") == "C03OPS"
    assert directory.channel_id("#nowhere") is None
    dev = directory.person("U02DEV")
    assert dev is not None
    assert dev.time_zone == "America/New_York"


def test_a_person_of_another_organisation_in_a_shared_channel_is_not_one_of_ours(
    slack: FakeSlack, directory: SlackDirectory
) -> None:
    """Slack Connect: people of other organisations post in a shared channel and Slack
    answers ``users.info`` about them, but sopbot acts for this workspace's people only."""
    slack.add_user("U08EXT", "vendor", display_name="Vendor", team_id="T0OTHER")
    slack.add_user("U09STRANGE", "stranger", is_stranger=True)
    assert directory.display_name("U08EXT") == "Vendor"  # still named where it shows
    assert not directory.is_person("U08EXT")
    assert not directory.is_person("U09STRANGE")
    assert directory.is_person("U03SAM")
    assert len(slack.calls_to("auth.test")) == 1  # this workspace's team, asked once


def test_on_enterprise_grid_people_of_the_same_organisation_are_ours(
    slack: FakeSlack, directory: SlackDirectory
) -> None:
    """One Grid organisation spans workspaces: a colleague on another of its teams is
    one of ours; a person of another organisation's Grid is not."""
    slack.enterprise_id = "E01ACME"
    slack.add_user("W04EVE", "eve", team_id="T0ACMEEU", enterprise_id="E01ACME")
    slack.add_user("W05MALLORY", "mallory", team_id="T0EVIL", enterprise_id="E09EVIL")
    assert directory.is_person("W04EVE")
    assert not directory.is_person("W05MALLORY")
    assert directory.is_person("U03SAM")
