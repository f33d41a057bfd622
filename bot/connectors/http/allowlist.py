"""Which URLs ``http.request`` may call: those under a base URL the operator allowed
(``SOPBOT_HTTP_ALLOW``), each base with the credential header it gets (``SOPBOT_HTTP_AUTH``).

A URL is parsed once, by the same parser urllib3 connects with, and compared part by part
(scheme, host, port, path prefix), so ``https://api.example.com.evil.test/`` or
``https://api.example.com@evil.test/`` never pass for ``https://api.example.com/``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import unquote

from urllib3.exceptions import LocationParseError
from urllib3.util import Url, parse_url

ALLOW_SETTING = "SOPBOT_HTTP_ALLOW"
AUTH_SETTING = "SOPBOT_HTTP_AUTH"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class HttpSettingProblem(ValueError):
    """An allowlist or credential setting that cannot be used; the message names it."""


class UrlRefused(Exception):
    """A URL outside the allowlist; the message says why and which setting allows more."""


@dataclass(frozen=True)
class Base:
    """One allowed base URL, and the header (name, value) that authenticates calls under it."""

    scheme: str
    host: str
    port: int
    path: str
    header: tuple[str, str] | None = None

    @property
    def text(self) -> str:
        """The base as the operator wrote it, normalised."""
        port = "" if _DEFAULT_PORTS[self.scheme] == self.port else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}{self.path}"

    def covers(self, url: Url) -> bool:
        """True when ``url`` (parsed and checked by ``_parse``) lies under this base."""
        return (url.scheme, url.host, _port(url)) == (self.scheme, self.host, self.port) and (
            url.path or "/"
        ).startswith(self.path)


def _port(url: Url) -> int:
    return url.port or _DEFAULT_PORTS[str(url.scheme)]


def _parse(text: str) -> Url:
    """``text`` parsed, or why it cannot be called: not http(s), user information before
    the host, a backslash, or a ``..`` segment (also percent-encoded)."""
    if "\\" in text:
        raise UrlRefused(f"{text} contains a backslash; write the URL with forward slashes")
    try:
        url = parse_url(text.strip())
    except LocationParseError:
        raise UrlRefused(f"{text} is not a URL sopbot can parse") from None
    if url.scheme not in _DEFAULT_PORTS or not url.host:
        raise UrlRefused(f"{text} is not an http:// or https:// URL with a host")
    if url.auth is not None:
        raise UrlRefused(
            f"{url.scheme}://…@{url.host} has user information before the host (an '@'); "
            f"put credentials in {AUTH_SETTING}, never in the URL"
        )
    if any(part in {".", ".."} for part in unquote(url.path or "/").split("/")):
        raise UrlRefused(f"{text} has a '.' or '..' path segment; write the path it means")
    return url


class Allowlist:
    """The allowed bases, longest first, so the most specific base's credential is used."""

    def __init__(self, bases: Iterable[Base]) -> None:
        self.bases = sorted(bases, key=lambda base: len(base.text), reverse=True)

    @classmethod
    def configured(
        cls, allow: Iterable[str], auth: Iterable[str], secrets: Mapping[str, str]
    ) -> Allowlist:
        """The bases of ``SOPBOT_HTTP_ALLOW``, with the headers ``SOPBOT_HTTP_AUTH`` gives
        them (``<base>=<Header-Name>:<SECRET_NAME>``, the value from ``SOPBOT_SECRET_*``)."""
        bases = {base.text: base for base in map(_base, allow)}
        for entry in auth:
            text, _, header = entry.rpartition("=")
            name, _, secret = header.partition(":")
            key = _base(text).text if text else ""
            if key not in bases or not name.strip() or not secret.strip():
                raise HttpSettingProblem(
                    f"{AUTH_SETTING}: '{entry}' is not <base>=<Header-Name>:<SECRET_NAME> "
                    f"for a base listed in {ALLOW_SETTING}"
                )
            if secret.strip() not in secrets:
                raise HttpSettingProblem(
                    f"{AUTH_SETTING}: no secret '{secret.strip()}' is configured for "
                    f"{key} (set SOPBOT_SECRET_{secret.strip()})"
                )
            value = secrets[secret.strip()]
            bases[key] = replace(bases[key], header=(name.strip(), value))
        return cls(bases.values())

    def base_of(self, text: str) -> tuple[Url, Base]:
        """``text`` parsed, and the allowed base it lies under; ``UrlRefused`` otherwise."""
        url = _parse(text)
        for base in self.bases:
            if base.covers(url):
                return url, base
        allowed = ", ".join(base.text for base in self.bases) or "none"
        raise UrlRefused(
            f"{url.scheme}://{url.netloc}{url.path or '/'} is not under a base URL in "
            f"{ALLOW_SETTING} (allowed: {allowed}); the operator adds the base there"
        )


def _base(text: str) -> Base:
    """One ``SOPBOT_HTTP_ALLOW`` entry: scheme, host, optional port and path, no query."""
    try:
        url = _parse(text)
    except UrlRefused as error:
        raise HttpSettingProblem(f"{ALLOW_SETTING}: {error}") from None
    if url.query is not None or url.fragment is not None:
        raise HttpSettingProblem(
            f"{ALLOW_SETTING}: {text} has a query or fragment; list bases only"
        )
    path = url.path or "/"
    return Base(
        str(url.scheme), str(url.host), _port(url), path if path.endswith("/") else f"{path}/"
    )
