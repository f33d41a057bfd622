"""What every webhook verifier shares, written once: the delivery as it arrived, the refusal
and the verified delivery, HMAC-SHA256 signatures compared in constant time, the replay
window on the receiver's clock (never wall time, so tests move it), and the body read as JSON.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

REPLAY_WINDOW = dt.timedelta(minutes=5)
"""How far a signed timestamp may be from this server's clock: every vendor's advice."""


class Refused(Exception):
    """A delivery that is not taken: the HTTP status and a reason the sender can act on."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Delivery:
    """A verified event: its id (the dedupe key), its event type and the event's fields."""

    id: str
    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Request:
    """One delivery as it arrived, with what verifying it needs: ``uri`` is the URL the
    sender posted to (some vendors sign it), ``headers`` have lower-case names, ``now`` is
    the receiver's clock, ``setting`` names the secret's variable for the reasons."""

    method: str
    uri: str
    headers: Mapping[str, str]
    body: bytes
    now: dt.datetime
    setting: str
    secret: str | None = field(default=None, repr=False)


def hmac_sha256(secret: str, message: bytes) -> bytes:
    """The HMAC-SHA256 of ``message`` keyed by the UTF-8 bytes of ``secret``."""
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def required(request: Request, header: str) -> str:
    """The value of a header the signature depends on; refused (401) when it is missing."""
    value = request.headers.get(header.lower(), "").strip()
    if not value:
        raise Refused(
            401, f"missing {header}: set the same secret in the sender and in {request.setting}"
        )
    return value


def require_signature(request: Request, header: str, expected: str) -> None:
    """Refuse (401) unless the header named ``header`` carries ``expected``."""
    if not hmac.compare_digest(required(request, header).encode(), expected.encode()):
        raise mismatched(request, header)


def mismatched(request: Request, header: str) -> Refused:
    """The refusal of a signature made with another secret or over another body."""
    return Refused(
        401,
        f"{header} does not match the body: the sender signs with a different secret "
        f"than {request.setting}, or the body was changed on the way",
    )


def require_fresh(sent: dt.datetime, now: dt.datetime, header: str) -> None:
    """Refuse (401) a signed time more than ``REPLAY_WINDOW`` from ``now``."""
    if abs(now - sent) > REPLAY_WINDOW:
        raise Refused(
            401,
            f"{header} is more than 5 minutes from this server's clock: an old delivery "
            "replayed, or the sender's clock is wrong",
        )


def body_hash(body: bytes) -> str:
    """The dedupe key of a delivery whose sender gives it no id: the same bytes, one event."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def json_body(body: str | bytes) -> Any:
    """The parsed body, or ``Refused`` (400): not UTF-8, not JSON, NaN, Infinity or a number
    past a float's range (``1e999`` would read as Infinity, which no filter should compare
    with and no database stores as JSON: a 503 the sender retries forever), or nested past
    Python's stack."""
    try:
        return json.loads(body, parse_constant=_not_json, parse_float=_finite)
    except RecursionError:
        raise Refused(400, "the body is not JSON this server reads: nested too deeply") from None
    except _NotFinite as error:
        raise Refused(400, f"the body is not JSON this server reads: {error}") from None
    except ValueError:  # UnicodeDecodeError and JSONDecodeError included
        raise Refused(400, "the body is not JSON") from None


class _NotFinite(ValueError):
    """A number JSON readers disagree on: NaN, Infinity, or one no float holds."""


def _not_json(constant: str) -> None:
    raise _NotFinite(f"{constant} is not a JSON number")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _NotFinite(f"the number {text[:20]} is too large")
    return number
