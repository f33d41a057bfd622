"""Is each configured webhook secret one its verifier can use?"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from bot.doctor.findings import Finding, fail, ok
from handlers.webhooks.secrets import setting_for, webhook_secrets

PREFIX = "whsec_"


def check_webhooks(environ: Mapping[str, str]) -> list[Finding]:
    """Each webhook is a Standard Webhooks sender: its secret is ``whsec_`` and base64."""
    secrets = webhook_secrets(environ)
    if not secrets:
        return [ok("webhooks", "none configured (SOPBOT_WEBHOOK_<NAME>_SECRET)")]
    return [_check(name, secret) for name, secret in sorted(secrets.items())]


def _check(name: str, secret: str) -> Finding:
    subject = f"webhook {name}"
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
