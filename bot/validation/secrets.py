"""SOP409: secrets do not belong in SOP files, which are versioned, reviewed and shown.

The whole file text is scanned once (comments included: a token in a comment is leaked
too), then keys named like secrets are checked for literal values.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

from bot.procedure.expressions import is_template
from bot.procedure.source_map import Path
from bot.validation.context import SopContext

_TOKEN_PATTERNS = re.compile(
    r"(?P<slack>xox[abprs]-[A-Za-z0-9-]{10,})"
    r"|(?P<api_key>\bsk-[A-Za-z0-9_-]{20,})"
    r"|(?P<aws>\bAKIA[0-9A-Z]{16}\b)"
    r"|(?P<bearer>\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*)"
    r"|(?P<random>(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{32,})"
)
_KINDS = {
    "slack": "a Slack token",
    "api_key": "an API key",
    "aws": "an AWS access key",
    "bearer": "a bearer token",
    "random": "a long random string (a key or token?)",
}
_SECRET_KEY = re.compile(
    r"(?:[a-z0-9]+[_-])*(?:password|passwd|secret|token|api[_-]?key|private[_-]?key)",
    re.IGNORECASE,
)
_SECRET_KEY_IN_TEXT = re.compile(
    r"(?:password|passwd|secret|token|api[_-]?key|private[_-]?key)['\"]?\s*:", re.IGNORECASE
)
_MIN_ENTROPY_BITS = 4.2


def _looks_random(text: str) -> bool:
    """High entropy with mixed character classes: how generated keys look, unlike words,
    identifiers or hexadecimal hashes."""
    if not (
        any(c.isdigit() for c in text)
        and any(c.islower() for c in text)
        and any(c.isupper() for c in text)
    ):
        return False
    counts = Counter(text)
    entropy = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    return entropy >= _MIN_ENTROPY_BITS


def check_secrets(context: SopContext) -> None:
    """SOP409: no token-like value anywhere, and no literal under a secret-named key."""
    text = context.loaded.text
    for match in _TOKEN_PATTERNS.finditer(text):
        kind = match.lastgroup or "random"
        if kind == "random" and not _looks_random(match.group()):
            continue
        context.report_at_offset(
            "SOP409", match.start(), f"this looks like {_KINDS[kind]}; never put secrets in an SOP"
        )
    if _SECRET_KEY_IN_TEXT.search(text):
        _check_secret_keys(context, context.loaded.data, ())


def _check_secret_keys(context: SopContext, value: Any, path: Path) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            child = (*path, key)
            if (
                isinstance(item, str)
                and item
                and not is_template(item)
                and _SECRET_KEY.fullmatch(key)
            ):
                context.report(
                    "SOP409", child, f"'{key}' holds a literal secret; never put secrets in an SOP"
                )
            else:
                _check_secret_keys(context, item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_secret_keys(context, item, (*path, index))


CHECKS = (check_secrets,)
