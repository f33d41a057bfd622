"""Secrets given as files, as Docker and Kubernetes mount them: ``SOPBOT_JIRA_TOKEN_FILE=
/run/secrets/jira-token`` stands for ``SOPBOT_JIRA_TOKEN`` holding the file's text.

Read once when a command starts, into the variable the file stands for, so every setting,
connector and webhook that reads the environment takes either form without knowing of
files; each value read is masked from then on like any other secret.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path

SUFFIX = "_FILE"
PREFIXES = ("SOPBOT_", "SLACK_")
MAX_BYTES = 64_000
"""A secret is a token or a key, not a document: a larger file is a wrong path."""


class SecretFileProblem(ValueError):
    """A ``*_FILE`` variable that cannot be used, in one line naming it."""


def load_secret_files(environ: MutableMapping[str, str]) -> list[str]:
    """Set each variable that a ``<NAME>_FILE`` stands for from its file; the names set.
    Both forms at once, a missing, unreadable, empty or oversized file are refused."""
    loaded = []
    for variable, path in list(environ.items()):
        if not (variable.startswith(PREFIXES) and variable.endswith(SUFFIX)):
            continue
        target = variable.removesuffix(SUFFIX)
        if environ.get(target):
            raise SecretFileProblem(f"{variable} and {target} are both set: keep one of them")
        environ[target] = _read(variable, Path(path))
        loaded.append(target)
    return loaded


def _read(variable: str, path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SecretFileProblem(
                f"{variable}: {path} is {size:,} bytes, too large for a secret "
                f"(at most {MAX_BYTES:,}); check the path"
            )
        value = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SecretFileProblem(
            f"{variable}: cannot read {path} ({error.strerror or error})"
        ) from None
    except UnicodeDecodeError:
        raise SecretFileProblem(f"{variable}: {path} is not UTF-8 text") from None
    if not value:
        raise SecretFileProblem(f"{variable}: {path} is empty")
    _mask(value)
    return value


def _mask(value: str) -> None:
    """Masked from now on. Imported here, as most starts set no secret file and the masking
    brings the database layer (the cold start of ``sopbot validate`` counts)."""
    from bot.audit.masking import mask_logs
    from storage import redaction

    redaction.register([value])
    mask_logs()
