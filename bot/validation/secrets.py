"""SOP409: secrets do not belong in SOP files, which are versioned, reviewed and shown.
SOP417: a secret is read only where a tool needs it, a call's arguments.

Every long word of the file text is looked at (comments included: a token in a comment
is leaked too), then keys named like secrets are checked for literal values. A secret
(``secrets.NAME`` or an input declared ``secret: true``) read anywhere else would be
rendered into a card, a message, a saved value or a key that is stored and shown.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from bot.procedure.expressions import ExpressionError, Reference, is_template, references
from bot.procedure.source_map import Path
from bot.procedure.steps import TaskStep
from bot.validation.context import SopContext
from bot.validation.sites import ExpressionSite

_KNOWN_FORMATS = re.compile(
    r"(?P<slack>xox[abprs]-[A-Za-z0-9-]{10,})"
    r"|(?P<api_key>\bsk-[A-Za-z0-9_-]{20,})"
    r"|(?P<aws>\bAKIA[0-9A-Z]{16}\b)"
)
_FORMAT_MARKERS = ("xox", "sk-", "AKIA")
_BEARER_TOKEN = re.compile(r"[A-Za-z0-9._~+/-]{16,}=*")
_LONG_TOKEN = re.compile(r"[A-Za-z0-9+/_=-]{32,}")
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
_SECRET_KEY_WORDS = ("passw", "secret", "token", "apikey", "api_key", "api-key", "private")
_MIN_ENTROPY_BITS = 4.2
_MIN_SECRET_LENGTH = 6
_MIN_SECRET_ENTROPY_BITS = 2.0
"""A literal under a secret-named key is a secret when it is at least this long and this
varied: a password or key is; a placeholder such as ``x``, ``-`` or ``xxxxxxxx`` is not."""


def _entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _looks_random(text: str) -> bool:
    """High entropy with mixed character classes: how generated keys look, unlike words,
    identifiers or hexadecimal hashes."""
    if not (
        any(c.isdigit() for c in text)
        and any(c.islower() for c in text)
        and any(c.isupper() for c in text)
    ):
        return False
    return _entropy(text) >= _MIN_ENTROPY_BITS


def _could_be_secret(text: str) -> bool:
    """Long and varied enough to be a password or key, unlike a placeholder."""
    return len(text) >= _MIN_SECRET_LENGTH and _entropy(text) >= _MIN_SECRET_ENTROPY_BITS


def _suspects(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) of every token-like string. Works on the few long words: one regex pass
    over a whole file would cost more than the rest of its validation."""
    words = text.split()
    if "Bearer" in text:
        for index, word in enumerate(words[:-1]):
            token = _BEARER_TOKEN.match(words[index + 1]) if word.endswith("Bearer") else None
            if token:
                yield "bearer", token.group()
    markers = [marker for marker in _FORMAT_MARKERS if marker in text]
    for word in [word for word in words if len(word) >= 14]:
        if markers and any(marker in word for marker in markers):
            known = [(m.lastgroup or "api_key", m.group()) for m in _KNOWN_FORMATS.finditer(word)]
            if known:
                yield from known
                continue
        if len(word) >= 32:
            for match in _LONG_TOKEN.finditer(word):
                if _looks_random(match.group()):
                    yield "random", match.group()


def check_secrets(context: SopContext) -> None:
    """SOP409: no token-like value anywhere, and no literal under a secret-named key."""
    text = context.loaded.text
    found_kinds: dict[str, str] = {}
    for kind, found in _suspects(text):
        found_kinds.setdefault(found, kind)
    for found, kind in found_kinds.items():
        context.report_at_offset(
            "SOP409",
            text.find(found),
            f"this looks like {_KINDS[kind]}; never put secrets in an SOP",
        )
    lowered = text.lower()
    if any(word in lowered for word in _SECRET_KEY_WORDS):
        _check_secret_keys(context, context.loaded.data, ())


def _check_secret_keys(context: SopContext, value: Any, path: Path) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            child = (*path, key)
            if (
                isinstance(item, str)
                and _could_be_secret(item)
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


def check_secret_reads(context: SopContext) -> None:
    """SOP417: ``secrets`` and secret inputs are read only inside a call's ``with:``, and a
    task's answers (stored and shown as reported) are never declared secret."""
    procedure = context.procedure
    secret_inputs = frozenset(name for name, spec in procedure.inputs.items() if spec.secret)
    arguments = frozenset((*call.path, "with") for call in context.sites.calls)
    for site in context.sites.expressions:
        if "secrets" not in site.text and not (secret_inputs and "inputs" in site.text):
            continue  # the common case, decided without parsing
        if any(site.path[:length] in arguments for length in range(len(site.path))):
            continue
        for reference in _secret_references(site, secret_inputs):
            what = str(reference)
            if reference.root == "inputs" and not reference.path:
                what += " (which holds " + ", ".join(sorted(secret_inputs)) + ")"
            context.report(
                "SOP417",
                site.path,
                f"{what} is read outside a tool call's arguments: it would be shown or stored",
                needle=str(reference),
            )
    for index, step in enumerate(procedure.steps):
        if not isinstance(step, TaskStep):
            continue
        for name, spec in step.task.fields.items():
            if spec.secret:
                context.report(
                    "SOP417",
                    ("steps", index, "task", "fields", name, "secret"),
                    f"a task's answer '{name}' cannot be secret: answers are stored and "
                    "shown as reported",
                    "ask for a secret as a procedure input (inputs: NAME: {secret: true})",
                )


def _secret_references(site: ExpressionSite, secret_inputs: frozenset[str]) -> list[Reference]:
    try:
        found = references(site.text, condition=site.condition)
    except ExpressionError:
        return []  # SOP207 reports it
    return [
        reference
        for reference in found
        if reference.root == "secrets"
        or (
            reference.root == "inputs"
            and secret_inputs
            and (not reference.path or reference.path[0] in secret_inputs)
        )
    ]


CHECKS = (check_secrets, check_secret_reads)
