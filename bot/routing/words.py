"""Words of a request as keywords: lowercased, light stems, no filler, typos forgiven."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

_WORD = re.compile(r"[a-zà-ÿß]+", re.IGNORECASE)
_FILLER = """a an the and or but of for to from in on at by with w about into after before over
    is are was were be been being am do does did done have has had get got can could will
    would should shall may might must need needs want wants wanted like i me my mine we us
    our you your u he him his she her they them their it its this that these those there
    here what which who whom how when where why pls plz please just now asap some any all
    up out not no yes so if then than too very also again still let lets
    someone something one ok okay hi hey thanks thank"""
STOPWORDS = frozenset(_FILLER.split())
_SUFFIXES = ("ing", "ed", "es", "s")


def stem(word: str) -> str:
    """``claims`` → ``claim``, ``damaged`` → ``damag``: enough to match forms of one word."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word.removesuffix("e") if len(word) > 4 else word


def keywords(text: str) -> list[str]:
    """The stems of the words that carry meaning, in order."""
    words = (word.lower() for word in _WORD.findall(text.replace("-", " ").replace("_", " ")))
    return [stem(word) for word in words if word not in STOPWORDS and len(word) > 1]


def closest(word: str, vocabulary: Iterable[str]) -> str | None:
    """The vocabulary word ``word`` is a typo of (``refnd`` → ``refund``), if any."""
    if len(word) < 4:
        return None
    found = difflib.get_close_matches(word, list(vocabulary), n=1, cutoff=0.8)
    return found[0] if found else None
