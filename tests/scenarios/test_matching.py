"""How an expectation matches what happened: text inside text, numbers by value, the keys
a mapping names, lists item by item."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.scenarios.expectations import fits


@pytest.mark.parametrize(
    ("expected", "actual", "matches"),
    [
        ("5 to 10 business days", "Refunds take 5 to 10 business days.", True),
        ("10 to 15 business days", "Refunds take 5 to 10 business days.", False),
        (640, 640.0, True),
        (640, 64.0, False),
        (1042, "1042", True),
        (True, 1, False),
        (None, None, True),
        (dt.date(2026, 11, 26), "2026-11-26", True),
        ({"amount": 640}, {"order_id": "1042", "amount": 640.0}, True),
        ({"amount": 640, "currency": "EUR"}, {"amount": 640.0}, False),
        (["ops@acme-logistics.example"], ["ops@acme-logistics.example"], True),
        (["ops@acme-logistics.example"], ["ops@acme-logistics.example", "x@y.example"], False),
    ],
)
def test_fits(expected: Any, actual: Any, matches: bool) -> None:
    assert fits(expected, actual) is matches
