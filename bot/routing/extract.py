"""Inputs that are clearly in a request, read against the procedure's input schema.

Only what a person would agree they said: ``order 1042`` gives ``order_id`` (the number
right after the input's own word), ``INV-2002`` gives the input whose pattern it fits,
``reason: wrong colour`` gives ``reason``, a currency amount gives ``amount``, ISO dates
fill the date inputs in order when there are exactly as many. Anything else is left out
and asked for, and every value must pass the input's own checks (``coerce``). Secret inputs
are never taken from words (the answer would show them in the channel): the form asks.

The text is read as a person sees it: invisible format characters (zero-width spaces,
joiners, direction marks) are dropped first, so ``order 10<ZWSP>42`` is order 1042, not 10;
compatibility forms are read as the plain characters they show (Unicode NFKC: the
full-width letters, digits and spaces of an East Asian keyboard read as ``refund 1042``, a
ligature as its letters), so ids and numbers are found and ranked as the words they read as. A text input is the person's own words:
it keeps what they wrote (``reason: arrived broken™`` keeps its ™).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from bot.engine.inputs import coerce
from bot.procedure.inputs import InputSpec
from bot.procedure.model import Procedure
from bot.routing.words import stem

_VALUE = r"#?([A-Za-z]*-?[0-9][A-Za-z0-9-]*)(?!\w|[.,]\w)"
"""An id-like word, whole: ``1042`` of ``1042.``, never of ``1042é`` or ``1042.5``."""
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_MONEY = re.compile(
    r"[$€£]\s?(\d+(?:[.,]\d{1,2})?)\b|\b(\d+(?:[.,]\d{1,2})?)\s?(?:usd|eur|gbp|dollars?|euros?)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[^@\s,;<>()]+@[^@\s,;<>()]+\.[A-Za-z]{2,}")
_AMOUNT_NAMES = ("amount", "price", "total", "sum")
READ_LIMIT = 4_000
"""How much of a request routing reads: a request is a few sentences. A pasted megabyte
would hold a worker for most of a minute (a typo check per unknown word) and go to the
model whole."""


def extract(procedure: Procedure, text: str) -> dict[str, str]:
    """The inputs of ``procedure`` found in ``text``, as text (the engine types them)."""
    text = readable(text)
    found: dict[str, str] = {}
    for name, spec in procedure.inputs.items():
        if spec.secret:
            continue
        for value in _candidates(name, spec, procedure, text):
            if fits(value, spec):
                found[name] = value
                break
    return found


def _candidates(name: str, spec: InputSpec, procedure: Procedure, text: Readable) -> Iterator[str]:
    """Readings of ``text`` for one input, the most explicit first."""
    yield from _labelled(name, spec, text)
    if spec.type == "choice":
        yield from _unique(_choices(spec, text))
    elif spec.type in ("date", "datetime"):
        yield from _dated(name, procedure, text)
    elif spec.type == "email":
        yield from _unique(_EMAIL.findall(text))
    elif spec.type in ("number", "integer"):
        yield from _counted(name, text)
        if name.lower().endswith(_AMOUNT_NAMES):
            yield from _unique(a or b for a, b in _MONEY.findall(text))
    elif spec.type == "string":
        if _distinctive(spec):
            yield from _unique(_patterned(spec.pattern or "", text))
        else:
            yield from _named(name, text)


def recognised(procedure: Procedure, text: str) -> bool:
    """The text holds a value only this kind of procedure takes (``INV-2002`` fits
    ``^INV-[0-9]+$``): strong evidence it is meant, whatever the words around it."""
    text = readable(text)
    return any(
        _distinctive(spec) and next(_unique(_patterned(spec.pattern or "", text)), None)
        for spec in procedure.inputs.values()
    )


class Readable(str):
    """A request as routing compares it (``readable``), which remembers the words as they
    were written: each of its characters knows the written characters it came from, so a
    value found in it can be given back as the person wrote it (``as_written``)."""

    written: str
    _origins: tuple[tuple[int, int], ...]
    """Per character: the span of ``written`` it was read from."""

    def __new__(cls, written: str) -> Readable:
        parts: list[str] = []
        origins: list[tuple[int, int]] = []
        for start, end in _clusters(written):
            plain = unicodedata.normalize("NFKC", written[start:end])
            parts.append(plain)
            origins.extend([(start, end)] * len(plain))
        made = super().__new__(cls, "".join(parts))
        made.written = written
        made._origins = tuple(origins)
        return made

    def as_written(self, start: int, end: int) -> str:
        """The written text that ``self[start:end]`` was read from."""
        if start >= end:
            return ""
        return self.written[self._origins[start][0] : self._origins[end - 1][1]]


def readable(text: str) -> Readable:
    """The request as routing reads it: its first ``READ_LIMIT`` characters, as seen, in
    the plain forms of compatibility characters."""
    if isinstance(text, Readable):
        return text
    return Readable(visible(text[:READ_LIMIT]))


def _clusters(text: str) -> Iterator[tuple[int, int]]:
    """Spans of ``text``: a character with the combining marks after it, normalized
    together (``e`` and a combining acute read as ``é``)."""
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not unicodedata.combining(text[index]):
            yield start, index
            start = index


def visible(text: str) -> str:
    """``text`` without the characters that show as nothing (Unicode category Cf)."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def _distinctive(spec: InputSpec) -> bool:
    """A pattern a plain number does not fit: it tells one kind of id from another."""
    return spec.pattern is not None and not re.fullmatch(spec.pattern, "1042")


def _labelled(name: str, spec: InputSpec, text: Readable) -> Iterator[str]:
    """``reason: wrong colour`` or ``order_id=1042``: the person named the input. A text
    input's value is given back as written; any other is an id, a number or a word."""
    label = re.escape(name).replace("_", "[ _]")
    found = re.search(rf"\b{label}\s*[:=]\s*(?:\"([^\"]*)\"|(.+))", text, re.IGNORECASE)
    if found is None:
        return
    quoted = found.group(1) is not None
    group = 1 if quoted else 2
    if spec.type == "text":
        yield text.as_written(*found.span(group)).strip()
    elif quoted:
        yield found.group(group)
    else:
        yield found.group(group).split()[0].rstrip(",.;")


def _named(name: str, text: str) -> Iterator[str]:
    """``order 1042``, ``ticket #4471``, ``deal no. D-9``: a value right after the input's
    own word (``order`` for ``order_id``)."""
    words = [word for word in name.lower().split("_") if word not in ("id", "key", "number")]
    if not words:
        return
    label = r"[ _-]".join(re.escape(word) for word in words)
    pattern = rf"\b{label}s?\b\s*(?:number|no\.?|nr\.?|id|#)?\s*:?\s*{_VALUE}"
    yield from _unique(re.findall(pattern, text, re.IGNORECASE))


def _patterned(pattern: str, text: str) -> Iterator[str]:
    """Words that fit the input's pattern, forgiving case and a space for the dash
    (``inv 3001`` for ``^INV-[0-9]+$``)."""
    words = re.findall(r"[A-Za-z0-9-]+", text)
    pairs = [f"{a}-{b}" for a, b in itertools.pairwise(words)]
    for word in [*words, *pairs]:
        for form in (word, word.upper()):
            if re.fullmatch(pattern, form):
                yield form
                break


def _choices(spec: InputSpec, text: str) -> Iterator[str]:
    """The choices whose words all appear in the text (``last month`` for ``last_month``)."""
    said = {stem(word) for word in re.findall(r"[a-z]+", text.lower())}
    for choice in spec.choices:
        if all(stem(word) in said for word in re.findall(r"[a-z]+", choice.lower())):
            yield choice


def _dated(name: str, procedure: Procedure, text: str) -> Iterator[str]:
    """ISO dates fill the date inputs in their declared order, when the counts agree."""
    dates = _ISO_DATE.findall(text)
    slots = [key for key, spec in procedure.inputs.items() if spec.type == "date"]
    if len(dates) == len(slots):
        yield dates[slots.index(name)]


def _counted(name: str, text: str) -> Iterator[str]:
    """``3 days`` for ``days``: a number right before the input's own word."""
    word = stem(name.lower().split("_")[-1])
    yield from _unique(re.findall(rf"\b(\d+(?:\.\d+)?)\s+{re.escape(word)}", text, re.IGNORECASE))


def _unique(values: Iterator[str] | Any) -> Iterator[str]:
    """The one distinct value, or nothing when the text holds several (which was meant?)."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) == 1:
        yield distinct[0]


def fits(value: str, spec: InputSpec) -> bool:
    """The value passes the input's own type, pattern, choices and bounds."""
    try:
        coerce(value, spec)
    except ValueError:
        return False
    return True
