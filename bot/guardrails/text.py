"""Normalising outgoing text so a forbidden phrase cannot hide behind case, spacing,
markup, punctuation or invisible characters, without matching inside other words."""

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


def words(text: str) -> list[str]:
    """The normalised text's words with every non-alphanumeric character removed, so
    ``g-u-a-r-a-n-t-e-e-d.`` is the word ``guaranteed``."""
    found = (
        "".join(character for character in token if character.isalnum())
        for token in normalise(text).split()
    )
    return [word for word in found if word]


def contains_phrase(text: str, phrase: str) -> bool:
    """True when ``phrase`` appears in ``text``.

    A phrase of plain words matches whole words only (``sick`` is not inside ``basic kit``),
    however they are spelled out; a phrase with symbols (``<!channel>``) matches literally,
    after normalising both sides.
    """
    needle = normalise(phrase)
    if not needle:
        return False
    if any(not (character.isalnum() or character.isspace()) for character in needle):
        return needle in normalise(text)
    wanted, have = words(phrase), words(text)
    width = len(wanted)
    return any(have[index : index + width] == wanted for index in range(len(have) - width + 1))
