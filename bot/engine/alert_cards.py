"""The SLA alert card: what is late, on which run and clock, by when, with the buttons the
people alerted press (Acknowledge, Take over, Open run); and the same card again once they
did, saying who acknowledged or took over and when.

A surface hands a button's ``action`` and ``value`` back to the front door as they are:
``sla_ack`` carries the run and the clock (``alert_value``), ``take_over`` and ``open_run``
the run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from bot.chat.messages import Button, Card
from bot.identity import mention
from bot.procedure.model import Procedure
from bot.procedure.policies import SlaClock
from storage.models import Run

ACKNOWLEDGE = "sla_ack"
TAKE_OVER = "take_over"
OPEN_RUN = "open_run"


def alert_value(run_id: str, clock_id: str) -> str:
    """The Acknowledge button's value: the run and the clock, space-separated (neither
    holds a space: run ids and clock ids are words)."""
    return f"{run_id} {clock_id}"


def parse_alert_value(value: str) -> tuple[str, str]:
    """The inverse of ``alert_value``; ``ValueError`` for anything else."""
    run_id, clock_id = value.split(" ")
    return run_id, clock_id


def alert_card(heading: str, text: str, *, procedure: Procedure, run: Run, clock: SlaClock) -> Card:
    """A new alert: ``heading`` ("SLA warning"…) and ``text`` (what happened) with context."""
    # Clocks start with their run (bot.engine.sla.start_clocks), so the deadline is fixed.
    deadline = run.created_at + clock.deadline
    fields = [
        ("Procedure", f"{procedure.title} ({procedure.id} v{procedure.version})"),
        ("Clock", clock.id),
        ("Deadline", f"{deadline.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"),
        ("Late", f"step {clock.stops_at} is not done yet"),
        ("Run is at", run.cursor or "its start"),
    ]
    if run.started_by:
        fields.append(("Started by", mention(run.started_by)))
    return Card(
        title=f"{heading} · run {run.id}",
        summary=text,
        fields=tuple(fields),
        buttons=(
            Button("Acknowledge", ACKNOWLEDGE, alert_value(run.id, clock.id), "primary"),
            Button("Take over", TAKE_OVER, run.id),
            Button("Open run", OPEN_RUN, run.id),
        ),
    )


def clock_of(card: Card) -> str | None:
    """The clock an alert card is about (its Acknowledge button's), None for other cards."""
    for button in card.buttons:
        if button.action == ACKNOWLEDGE:
            return parse_alert_value(button.value)[1]
    return None


@dataclass(frozen=True)
class Response:
    """Someone acknowledged a clock's alerts or took the run over."""

    by: str
    at: dt.datetime


def answered_card(card: Card, acknowledged: Response | None, taken_over: Response | None) -> Card:
    """``card`` showing who acknowledged its clock and who holds the run now. Acknowledge
    goes once pressed; Take over stays, so someone else can take the run on in turn."""
    lines = []
    if acknowledged is not None:
        lines.append(f"Acknowledged by {_by(acknowledged)}")
    if taken_over is not None:
        lines.append(f"Taken over by {_by(taken_over)}")
    return replace(
        card,
        buttons=tuple(
            button
            for button in card.buttons
            if not (acknowledged is not None and button.action == ACKNOWLEDGE)
        ),
        footer=" · ".join(lines) or None,
    )


def _by(response: Response) -> str:
    return f"{mention(response.by)} at {response.at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
