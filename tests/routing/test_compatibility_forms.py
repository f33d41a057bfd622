"""Text typed in compatibility forms (the full-width letters, digits and spaces of an East
Asian keyboard, ligatures) is routed and read as the plain text it shows, while the words a
person wrote for a text input are kept as they wrote them."""

from __future__ import annotations

import pytest

from bot.procedure.model import Procedure
from bot.routing.extract import extract
from bot.routing.offline import OfflineRouter

ROUTER = OfflineRouter()
FI = "\ufb01"
"""The ligature fi, one character."""


def wide(text: str) -> str:
    """``text`` as a full-width keyboard types it: each ASCII character as its full-width
    form (``1`` as U+FF11), a space as the ideographic space U+3000."""
    return "".join(
        "\u3000" if char == " " else chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char
        for char in text
    )


@pytest.mark.parametrize(
    "plain",
    [
        "refund order 1042",
        "my order 1042 arrived broken, I want my money back",
        "freight claim CL-7002",
    ],
)
def test_full_width_text_is_routed_as_the_text_it_shows(
    samples: dict[str, Procedure], plain: str
) -> None:
    """The same procedure, as sure, with the same inputs, as the plain text gets."""
    procedures = list(samples.values())
    route, expected = ROUTER.route(wide(plain), procedures), ROUTER.route(plain, procedures)
    assert expected.best is not None
    assert expected.confident
    assert expected.inputs
    assert route.best is not None
    assert route.best.procedure.id == expected.best.procedure.id
    assert route.confident
    assert route.inputs == expected.inputs


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"order {wide('1042')} reason: arrived broken™", "arrived broken™"),
        (wide("order 1042 reason: ") + f"gift wrap {FI}ne", f"gift wrap {FI}ne"),
        (wide("order 1042 reason: gift wrap"), wide("gift wrap")),
        ('order 1042 reason: "Café™ ½ box"', "Café™ ½ box"),
    ],
)
def test_an_id_is_read_plain_but_a_text_input_keeps_what_was_written(
    samples: dict[str, Procedure], text: str, reason: str
) -> None:
    """The order number is the digits it shows; the reason is the person's own words."""
    found = extract(samples["refund-request"], text)
    assert found == {"order_id": "1042", "reason": reason}


def test_a_routed_request_keeps_the_reason_as_written(samples: dict[str, Procedure]) -> None:
    route = ROUTER.route(wide("refund order 1042 ") + "reason: broken™", list(samples.values()))
    assert route.inputs == {"order_id": "1042", "reason": "broken™"}
