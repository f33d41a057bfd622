"""Normalising outgoing text so a forbidden phrase cannot hide behind case, spacing,
markup or invisible characters."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_MARKUP = re.compile(r"[*_~`>|]")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Fold case, compatibility forms, invisible characters, markup and runs of spaces."""
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    folded = _MARKUP.sub("", folded).casefold()
    return _SPACE.sub(" ", folded).strip()


def compact(text: str) -> str:
    """Only letters and digits: ``G-u a_r.antee`` and ``guarantee`` compare equal."""
    return "".join(character for character in normalise(text) if character.isalnum())


def contains_phrase(text: str, phrase: str) -> bool:
    """True when ``phrase`` appears in ``text``, normalised, or with every separator removed
    (so pieces glued by a template, or split by punctuation, are still caught)."""
    needle = normalise(phrase)
    if not needle:
        return False
    return needle in normalise(text) or compact(phrase) in compact(text)
