"""A run-time expression error names what the procedure wrote and what the run has
(``risk.level`` has no key 'Suspended'; it has: Low, Medium, High), never the template
engine's internals ('dict object' has no attribute)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.procedure.expressions import ExpressionError, evaluate, render

CONTEXT: dict[str, Any] = {
    "inputs": {"order_id": "1042"},
    "risk": {"level": {"Low": 1, "Medium": 2, "High": 3}},
    "order": {"total": 640.0, "note": None, "lines": [{"sku": "A"}]},
    "limits": {"refund": 500, "credit": 200},
}


def _error(expression: str) -> str:
    with pytest.raises(ExpressionError) as raised:
        evaluate(expression, CONTEXT)
    return str(raised.value)


@pytest.mark.parametrize(
    ("expression", "said"),
    [
        ("risk.level.Suspended", "`risk.level` has no key 'Suspended'; it has: Low, Medium, High"),
        ("risk.level['Suspended']", "`risk.level` has no key 'Suspended'; it has: Low, Medium"),
        ("order.shipping.adress", "`order` has no key 'shipping'; it has: total, note, lines"),
        ("inputs.amount > 5", "`inputs` has no key 'amount'; it has: order_id"),
        ("ordr.total", "`ordr` is not defined; known names: inputs, risk, order, limits"),
        ("order.total.cents", "`order.total` is a number (640.0), which has no key 'cents'"),
        ("order.note.text", "`order.note` is nothing (null), which has no key 'text'"),
        ("order.lines.sku", "`order.lines` is a list, which has no key 'sku'"),
        ("order.total > 'high'", "cannot compare a number with a text using '>'"),
        ("order.total + inputs.order_id", "cannot use '+' on a number and a text"),
        ("risk.level[order.total]", "`risk.level` has no key '640.0'; it has: Low, Medium"),
        ("limits[inputs.order_id]", "`limits` has no key '1042'; it has: refund, credit"),
    ],
)
def test_errors_speak_the_procedure_s_terms(expression: str, said: str) -> None:
    error = _error(expression)

    assert error.startswith(f"cannot evaluate '{expression}': ")
    assert said in error
    assert "attribute" not in error
    assert "dict object" not in error


def test_a_template_s_error_names_the_broken_link_too() -> None:
    with pytest.raises(ExpressionError, match="`order` has no key 'shipping'"):
        render("Ship to {{ order.shipping.city }}", CONTEXT)
