"""The forms of a configured credential header value a service could quote back in its
error text: the value, the credential after its scheme (``Bearer tok-…`` echoed as
``tok-…``), and for ``Basic`` the decoded ``user:password`` and the password. Each is
masked in errors, and registered so no row or log line holds it."""

from __future__ import annotations

import base64
import binascii


def echoed_forms(value: str) -> list[str]:
    """Every form of ``value`` to hide, longest first (a whole value masks as one)."""
    forms = {value}
    scheme, _, credential = value.strip().partition(" ")
    credential = credential.strip()
    if credential:
        forms.add(credential)
        if scheme.lower() == "basic":
            forms.update(_basic(credential))
    return sorted(forms, key=len, reverse=True)


def _basic(credential: str) -> list[str]:
    """``user:password`` and the password, when ``credential`` is their base64."""
    try:
        pair = base64.b64decode(credential, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return []
    _user, colon, password = pair.partition(":")
    return [pair, password] if colon and password else [pair]
