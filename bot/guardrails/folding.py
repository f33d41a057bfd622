"""Folding text to a plain skeleton, so that a word written with look-alike, invisible,
accented, full-width or styled letters reads as the word it imitates.

The look-alike table is deliberately small: the Cyrillic, Greek and Latin letters that a
person (or a "fancy text" generator) uses in place of a Latin one, and the typographic
apostrophes. Capitals and small letters are folded separately, before case folding,
because some look alike only in one case (Greek capital ``Μ`` is an M, small ``μ`` a u).
"""

# ruff: noqa: RUF001, RUF002 - the look-alike letters are the point of this module

from __future__ import annotations

import unicodedata

_LOOK_ALIKES = {
    # Cyrillic capitals and small letters
    "А": "A", "В": "B", "Е": "E", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "Н": "H", "О": "O", "Р": "P", "С": "C", "Ѕ": "S", "Т": "T", "У": "Y", "Х": "X",
    "Ү": "Y", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
    "а": "a", "в": "b", "г": "r", "е": "e", "і": "i", "ј": "j", "к": "k", "м": "m",
    "н": "h", "о": "o", "п": "n", "р": "p", "с": "c", "ѕ": "s", "т": "t", "у": "y",
    "х": "x", "ь": "b", "ү": "y", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
    # Greek capitals and small letters
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u",
    "ν": "v", "ο": "o", "ρ": "p", "ς": "c", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    # Latin letters that no normal form maps to their plain look-alike
    "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ø": "o", "ł": "l", "đ": "d", "ħ": "h",
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i",
    "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r",
    "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
    # apostrophes: typographic ones read as the straight one
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u2032": "'",
}  # fmt: skip
_FOLD = str.maketrans(_LOOK_ALIKES)

# Blank letters: invisible, yet letters to Unicode, so they would glue a word together.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def fold(text: str) -> str:
    """Compatibility forms (full-width, styled, ligatures) made plain, invisible characters
    and accents dropped, look-alike letters replaced by the Latin ones, case folded:
    ``Ｇú*ɑrаnteed`` becomes ``gu*aranteed``. Punctuation is left to the caller."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(character for character in decomposed if not _hidden(character))
    return unicodedata.normalize("NFKC", kept.translate(_FOLD)).casefold()


def _hidden(character: str) -> bool:
    """Invisible (format characters: zero-width, joiners, bidi controls, soft hyphen) or a
    mark drawn on the letter before it (accents, strike-through)."""
    return unicodedata.category(character) in ("Cf", "Mn", "Me") or character in _BLANK_LETTERS
