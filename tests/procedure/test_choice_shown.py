"""A choose step in `sopbot graph` (one branch per option, labelled as its button, and what
happens when nobody picks) and in `sopbot show` (the options and the timeout)."""

from __future__ import annotations

import datetime as dt
import textwrap

from bot.catalogue.registry import build_catalogue
from bot.procedure.graph import to_mermaid
from bot.procedure.loader import load_text
from bot.procedure.model import Procedure
from bot.procedure.summary import summarize
from tests.engine.test_choices import REVIEW


def _review(text: str = REVIEW) -> Procedure:
    loaded = load_text(textwrap.dedent(text), "sops/review.yml")
    assert loaded.procedure is not None, loaded.diagnostics
    return loaded.procedure


def test_the_graph_draws_a_branch_per_option_and_the_default_on_timeout() -> None:
    chart = to_mermaid(_review(), build_catalogue())
    assert 's_pick{"pick<br/>U02DEV picks"}:::decision' in chart
    assert 's_pick -->|"Refund it"| s_pay' in chart
    assert 's_pick -->|"Keep it"| s_keep' in chart
    assert 's_pick -.->|"nobody picks in 2d: Keep it"| s_keep' in chart


def test_without_a_default_the_graph_escalates_when_nobody_picks() -> None:
    chart = to_mermaid(
        _review(REVIEW.replace("          default: Keep it\n", "")), build_catalogue()
    )
    assert 's_pick -.->|"nobody picks in 2d"| esc_1' in chart


def test_show_lists_the_options_and_what_a_timeout_takes() -> None:
    shown = " ".join(summarize(_review(), today=dt.date(2026, 11, 22)).split())
    assert (
        'pick choose U02DEV picks "What do we do with order {{ order.id }}?": '
        '"Refund it" → pay; "Keep it" → keep; timeout 2d, then "Keep it" (keep)'
    ) in shown
