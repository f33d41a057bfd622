"""``SOPBOT_JIRA_*``: Cloud logs in with an email and an API token, Server with a personal
access token; a missing or contradictory setting stops the start in one line naming the
variable, and nothing is sent to Jira while starting."""

from __future__ import annotations

import pytest

from bot.catalogue.operation import ConnectorServices
from bot.connectors.jira import JiraConnector, JiraSettingsProblem, connect
from tests.connectors.jira.conftest import NOW
from tests.connectors.jira.fake_jira import EMAIL, TOKEN, FakeJira

SERVICES = ConnectorServices(namespaces=("jira",), now=lambda: NOW, secrets={})
VARIABLES = ("URL", "EMAIL", "API_TOKEN", "TOKEN", "TIMEOUT", "IDEMPOTENCY_LABEL")


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    """No variable of the shell, and no .env file, decides a test."""
    monkeypatch.chdir(str(tmp_path))
    for name in VARIABLES:
        monkeypatch.delenv(f"SOPBOT_JIRA_{name}", raising=False)


def given(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"SOPBOT_JIRA_{name.upper()}", value)


def refusal(monkeypatch: pytest.MonkeyPatch, **values: str) -> str:
    given(monkeypatch, **values)
    with pytest.raises(JiraSettingsProblem) as refused:
        connect(SERVICES)
    return str(refused.value)


def test_cloud_and_server_are_told_apart_by_their_credentials_and_nothing_is_sent(
    monkeypatch: pytest.MonkeyPatch, fake: FakeJira
) -> None:
    given(monkeypatch, url=f"{fake.url}/", email=EMAIL, api_token=TOKEN, timeout="7.5")
    cloud = connect(SERVICES)
    monkeypatch.delenv("SOPBOT_JIRA_EMAIL")
    monkeypatch.delenv("SOPBOT_JIRA_API_TOKEN")
    given(monkeypatch, token=TOKEN)
    server = connect(SERVICES)

    assert isinstance(cloud, JiraConnector)
    assert (cloud.config.deployment, cloud.config.url, cloud.config.timeout) == (
        "Cloud",
        fake.url,
        7.5,
    )
    assert cloud.config.credentials == "SOPBOT_JIRA_EMAIL and SOPBOT_JIRA_API_TOKEN"
    assert (server.config.deployment, server.config.credentials) == ("Server", "SOPBOT_JIRA_TOKEN")
    assert TOKEN not in repr(cloud.config)
    assert fake.server.log == [], "a Jira that is down must not stop sopbot from starting"


def test_a_missing_url_or_login_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    assert refusal(monkeypatch, email=EMAIL, api_token=TOKEN) == (
        "SOPBOT_JIRA_URL must be set to use the Jira connector (https://acme.atlassian.net, "
        "or your server's base URL)"
    )
    assert refusal(monkeypatch, url="https://acme.atlassian.net", email="", api_token="") == (
        "set SOPBOT_JIRA_EMAIL and SOPBOT_JIRA_API_TOKEN (Jira Cloud) or SOPBOT_JIRA_TOKEN "
        "(Server/Data Center) to log in to Jira"
    )
    assert refusal(monkeypatch, email=EMAIL) == (
        "SOPBOT_JIRA_EMAIL and SOPBOT_JIRA_API_TOKEN go together (Jira Cloud): set "
        "SOPBOT_JIRA_API_TOKEN"
    )


def test_contradictory_settings_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    given(monkeypatch, url="https://jira.acme.example")
    assert refusal(monkeypatch, email=EMAIL, api_token=TOKEN, token=TOKEN) == (
        "SOPBOT_JIRA_API_TOKEN (Jira Cloud) and SOPBOT_JIRA_TOKEN (Server/Data Center) are "
        "both set: keep the one for your Jira"
    )
    monkeypatch.delenv("SOPBOT_JIRA_API_TOKEN")
    assert refusal(monkeypatch) == (
        "SOPBOT_JIRA_EMAIL goes with SOPBOT_JIRA_API_TOKEN (Jira Cloud); a Server/Data "
        "Center SOPBOT_JIRA_TOKEN logs in alone: unset SOPBOT_JIRA_EMAIL"
    )
    monkeypatch.delenv("SOPBOT_JIRA_EMAIL")
    assert refusal(monkeypatch, url="https://acme.atlassian.net") == (
        "SOPBOT_JIRA_TOKEN is a Server/Data Center token, and https://acme.atlassian.net is "
        "Jira Cloud: set SOPBOT_JIRA_EMAIL and SOPBOT_JIRA_API_TOKEN instead"
    )


def test_unusable_values_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    given(monkeypatch, token=TOKEN)
    assert refusal(monkeypatch, url="jira.acme.example") == (
        "SOPBOT_JIRA_URL: 'jira.acme.example' is not an http(s) base URL such as "
        "https://acme.atlassian.net"
    )
    given(monkeypatch, url="https://jira.acme.example")
    assert refusal(monkeypatch, timeout="soon") == (
        "SOPBOT_JIRA_TIMEOUT: Input should be a valid number, unable to parse string as a number"
    )
    monkeypatch.delenv("SOPBOT_JIRA_TIMEOUT")
    assert refusal(monkeypatch, idempotency_label="sop bot") == (
        "SOPBOT_JIRA_IDEMPOTENCY_LABEL: 'sop bot' is not a label prefix (1-40 letters, "
        "digits, '.', '_' or '-')"
    )
