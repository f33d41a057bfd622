"""Is each configured webhook secret one its verifier can use?"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from bot.doctor.findings import Finding, fail, ok, warn
from handlers.webhooks.secrets import (
    setting_for,
    unsigned_setting_for,
    unsigned_webhooks,
    webhook_secrets,
)
from handlers.webhooks.verifiers import VENDORS

PREFIX = "whsec_"


def check_webhooks(environ: Mapping[str, str]) -> list[Finding]:
    """A Standard Webhooks sender's secret is ``whsec_`` and base64; a vendor's (Jira,
    HubSpot, Zendesk) is any text. A webhook opened to unsigned deliveries is a warning."""
    secrets = webhook_secrets(environ)
    unsigned = sorted(unsigned_webhooks(environ) - secrets.keys())
    if not secrets and not unsigned:
        return [ok("webhooks", "none configured (SOPBOT_WEBHOOK_<NAME>_SECRET)")]
    opened = [
        warn(
            f"webhook {name}",
            f"{unsigned_setting_for(name)}=allow takes unsigned deliveries: anyone who can "
            f"reach /webhooks/{name} can start its procedures; set {setting_for(name)}",
        )
        for name in unsigned
    ]
    return opened + [_check(name, secret) for name, secret in sorted(secrets.items())]


def _check(name: str, secret: str) -> Finding:
    subject = f"webhook {name}"
    if name in VENDORS:
        return ok(subject, f"{setting_for(name)} set; deliveries verified as {name} signs them")
    try:
        key = base64.b64decode(secret.removeprefix(PREFIX), validate=True)
    except binascii.Error:
        key = b""
    if not key:  # the verifier would read a lenient decoding: another key than the sender's
        return fail(
            subject,
            f"{setting_for(name)} is not a Standard Webhooks secret: write whsec_ followed "
            "by base64, as the sender shows it",
        )
    return ok(subject, f"{setting_for(name)} is a usable Standard Webhooks secret")
