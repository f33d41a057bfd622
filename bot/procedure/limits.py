"""How much work one expression may do, and the checks that keep it within that.

An SOP's expressions run inside workers, so one expression must never hold a worker: a
number like ``9 ** (9 ** 9)`` or a text like ``'x' * 10 ** 9`` is refused before it is
computed (Python cannot be interrupted inside one such operation), and loops, calls and
filters count steps against a budget with a time limit. A refusal is an ``ExpressionLimit``,
which the evaluator turns into an ordinary expression error.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

MAX_INT_BITS = 4_096
"""Numbers up to about 1,200 digits: money, counts and ids fit with room to spare."""
MAX_LENGTH = 1_000_000
"""Characters of a text, or items of a list, that one expression may make."""
MAX_WIDTH = 10_000
"""A width, padding or count parameter (format widths, center, batch ...), in total."""
MAX_STEPS = 200_000
"""Operations, calls and loop turns of one evaluation."""
MAX_SECONDS = 0.5
"""Time one evaluation may take, whatever it does."""


class ExpressionLimit(Exception):
    """An expression would exceed a limit; the message says which and what it was doing."""


@dataclass
class Budget:
    """The steps and time left to one evaluation; ``clock`` is injectable for tests."""

    steps: int = MAX_STEPS
    seconds: float = MAX_SECONDS
    clock: Callable[[], float] = time.monotonic
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = self.clock() + self.seconds

    def tick(self) -> None:
        """Count one step; refuse the step past the budget or the deadline."""
        self.steps -= 1
        if self.steps < 0:
            raise ExpressionLimit(
                f"it takes more than {MAX_STEPS:,} steps (a loop over a long list inside "
                "another?); keep expressions small and move heavy work into a tool"
            )
        if self.clock() > self.deadline:
            raise ExpressionLimit(
                f"it ran longer than {self.seconds:g} s; keep expressions small and move "
                "heavy work into a tool"
            )


_current: ContextVar[Budget | None] = ContextVar("expression_budget", default=None)


@contextmanager
def budget(given: Budget | None = None) -> Iterator[Budget]:
    """Run the evaluations inside under one budget: the one already running, else
    ``given``, else a fresh one."""
    running = _current.get()
    if running is not None:
        yield running
        return
    chosen = given or Budget()
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def tick() -> None:
    """Count one step of the running evaluation."""
    running = _current.get()
    if running is not None:
        running.tick()


def metered(iterable: Iterable[Any]) -> Iterator[Any]:
    """The items of a template loop, each counted as a step."""
    for item in iterable:
        tick()
        yield item


# --- sizes ----------------------------------------------------------------------------------


def weight(value: Any, limit: int = MAX_LENGTH) -> int:
    """About how many characters ``value`` prints as, counted only until past ``limit``,
    so a list holding the same long text a thousand times weighs what it would print."""
    total = 0
    pending = [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            pending.extend(item)
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, int):
            total += 1 + item.bit_length() // 3
        else:
            total += 8
    return total


def check_size(value: Any, doing: str) -> Any:
    """``value``, unless it is a number or text over the limits."""
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ExpressionLimit(_number_message(doing, value.bit_length()))
    sized = isinstance(value, str | bytes | list | tuple | dict | set | frozenset)
    if sized and weight(value) > MAX_LENGTH:
        raise ExpressionLimit(_length_message(doing))
    return value


def _number_message(doing: str, bits: float) -> str:
    return (
        f"{doing} makes a number of about {bits:,.0f} bits; "
        f"expressions work with numbers up to {MAX_INT_BITS:,} bits"
    )


def _length_message(doing: str) -> str:
    return f"{doing} makes a value over {MAX_LENGTH:,} characters, the most an expression may make"


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``left operator right`` before computing it when the result would be huge."""

    def doing() -> str:
        return f"{_short(left)} {operator} {_short(right)}"

    if operator == "**" and _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1:
        bits = right * math.log2(abs(left))
        if bits > MAX_INT_BITS:
            raise ExpressionLimit(_number_message(doing(), bits))
    elif operator == "*":
        if _is_int(left) and _is_int(right):
            bits = left.bit_length() + right.bit_length()
            if bits > MAX_INT_BITS + 1:
                raise ExpressionLimit(_number_message(doing(), bits))
        elif _is_int(right) or _is_int(left):
            sequence, times = (left, right) if _is_int(right) else (right, left)
            if times > 0 and weight(sequence, MAX_LENGTH // times + 1) * times > MAX_LENGTH:
                raise ExpressionLimit(_length_message(doing()))
    elif operator == "+" and not _is_number(left):
        if weight(left) + weight(right) > MAX_LENGTH:
            raise ExpressionLimit(_length_message(doing()))
    elif operator == "%" and isinstance(left, str):
        check_percent_format(left)


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float)


def _short(value: Any) -> str:
    text = (
        repr(value) if not isinstance(value, int) or value.bit_length() < 64 else "a large number"
    )
    return text if len(text) <= 30 else text[:27] + "..."


# --- widths and counts ----------------------------------------------------------------------

_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d*)(?:\.(\*|\d*))?")
_DIGITS = re.compile(r"\d+")


def check_width(total: int, what: str) -> None:
    """Refuse a width, padding or count over ``MAX_WIDTH``."""
    if total > MAX_WIDTH:
        raise ExpressionLimit(f"{what} is {total:,}; widths and counts are at most {MAX_WIDTH:,}")


def check_percent_format(text: str) -> None:
    """The widths and precisions of a ``%`` format, such as ``'%.1f'``."""
    total = 0
    for match in _PERCENT_SPEC.finditer(text):
        for part in match.groups():
            if part == "*":
                raise ExpressionLimit("a '*' width in a % format is not supported; write the width")
            total += int(part) if part else 0
    check_width(total, f"the width in the format {_short(text)}")


def check_brace_format(text: str) -> None:
    """The widths and precisions of a ``str.format`` text, such as ``'{:>10}'``."""
    import string

    total = 0
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return  # str.format reports the broken format itself
    for _, _, spec, _ in fields:
        if not spec:
            continue
        if "{" in spec:
            raise ExpressionLimit("a {nested} width in a format is not supported; write the width")
        total += sum(int(digits) for digits in _DIGITS.findall(spec))
    check_width(total, f"the width in the format {_short(text)}")


def check_replace(text: Any, old: Any, new: Any, count: Any = -1) -> None:
    """Refuse a ``replace`` whose result would be huge (``s.replace('', s)`` squares ``s``)."""
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    found = text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    if len(text) + found * (len(new) - len(old)) > MAX_LENGTH:
        raise ExpressionLimit(_length_message(f"replacing {_short(old)} with {_short(new)}"))


def check_join(separator: Any, items: list[Any]) -> None:
    """Refuse a ``join`` whose result would be huge."""
    if weight(separator) * max(len(items) - 1, 0) + weight(items) > MAX_LENGTH:
        raise ExpressionLimit(_length_message("joining"))
