"""``sopbot doctor`` on the vendor webhooks: their secrets are any text (no Standard
Webhooks ``whsec_`` expected), and Jira opened to unsigned deliveries is a warning."""

from __future__ import annotations

import pytest

from tests.doctor.conftest import Doctor, clean_environment  # noqa: F401 (autouse: no shell settings)
from tests.webhooks.conftest import VENDOR_SECRETS


def test_vendor_secrets_are_taken_as_their_vendors_sign(
    doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, secret in VENDOR_SECRETS.items():
        monkeypatch.setenv(f"SOPBOT_WEBHOOK_{name.upper()}_SECRET", secret)

    outcome = doctor()

    assert outcome.line("webhook hubspot") == (
        "ok    webhook hubspot: SOPBOT_WEBHOOK_HUBSPOT_SECRET set; deliveries verified as "
        "hubspot signs them"
    )
    assert outcome.line("webhook jira").startswith("ok    ")
    assert outcome.line("webhook zendesk").startswith("ok    ")
    assert not any(secret in outcome.text for secret in VENDOR_SECRETS.values())


def test_jira_opened_to_unsigned_deliveries_is_a_warning(
    doctor: Doctor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPBOT_WEBHOOK_JIRA_UNSIGNED", "allow")

    outcome = doctor()

    assert outcome.line("webhook jira") == (
        "warn  webhook jira: SOPBOT_WEBHOOK_JIRA_UNSIGNED=allow takes unsigned deliveries: "
        "anyone who can reach /webhooks/jira can start its procedures; set "
        "SOPBOT_WEBHOOK_JIRA_SECRET"
    )
