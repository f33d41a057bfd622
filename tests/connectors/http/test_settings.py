"""The operator's ``SOPBOT_HTTP_*`` settings: read from the environment, and refused at
start, naming the setting, when they cannot be used."""

from __future__ import annotations

import pytest

from bot.config import load_settings
from bot.connectors.http.allowlist import Allowlist, HttpSettingProblem


def test_the_settings_are_lists_separated_by_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPBOT_HTTP_ALLOW", "https://api.example.com/v1/, https://hooks.acme.test")
    monkeypatch.setenv("SOPBOT_HTTP_AUTH", "https://hooks.acme.test/=X-Api-Key:ACME_KEY")
    settings = load_settings()

    allowlist = Allowlist.configured(settings.http_allow, settings.http_auth, {"ACME_KEY": "k"})

    assert [(base.text, base.header) for base in allowlist.bases] == [
        ("https://api.example.com/v1/", None),
        ("https://hooks.acme.test/", ("X-Api-Key", "k")),
    ]
    assert (settings.http_timeout, settings.http_max_bytes) == (10.0, 1_000_000)


@pytest.mark.parametrize(
    ("allow", "auth", "message"),
    [
        (
            ["ftp://files.example.com/"],
            [],
            "SOPBOT_HTTP_ALLOW: ftp://files.example.com/ is not an http:// or https:// URL "
            "with a host",
        ),
        (
            ["https://api.example.com/v1/?key=1"],
            [],
            "SOPBOT_HTTP_ALLOW: https://api.example.com/v1/?key=1 has a query or fragment; "
            "list bases only",
        ),
        (
            ["https://api.example.com/"],
            ["https://other.example.com/=Authorization:TOKEN"],
            "SOPBOT_HTTP_AUTH: 'https://other.example.com/=Authorization:TOKEN' is not "
            "<base>=<Header-Name>:<SECRET_NAME> for a base listed in SOPBOT_HTTP_ALLOW",
        ),
        (
            ["https://api.example.com/"],
            ["https://api.example.com/=TOKEN"],
            "SOPBOT_HTTP_AUTH: 'https://api.example.com/=TOKEN' is not "
            "<base>=<Header-Name>:<SECRET_NAME> for a base listed in SOPBOT_HTTP_ALLOW",
        ),
    ],
    ids=["scheme", "query", "unlisted base", "no header name"],
)
def test_a_setting_that_cannot_be_used_is_refused_in_one_line(
    allow: list[str], auth: list[str], message: str
) -> None:
    with pytest.raises(HttpSettingProblem) as refused:
        Allowlist.configured(allow, auth, {"TOKEN": "t"})

    assert str(refused.value) == message
