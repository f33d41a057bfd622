"""An SLA alert's buttons as commands: every surface (the console's numbers, Slack's clicks
and its durable inbox) does the same thing for the same button."""

from __future__ import annotations

from bot.app.commands.parser import Command
from bot.chat.messages import Button
from bot.engine.alert_cards import ACKNOWLEDGE, OPEN_RUN, TAKE_OVER, parse_alert_value

ALERT_ACTIONS = frozenset({ACKNOWLEDGE, TAKE_OVER, OPEN_RUN})


def alert_command(button: Button) -> Command:
    """Acknowledge the clock, take the run over, or show the run (``/sop status``)."""
    if button.action == ACKNOWLEDGE:
        return Command("acknowledge", parse_alert_value(button.value))
    if button.action == TAKE_OVER:
        return Command("take_over", (button.value,))
    if button.action == OPEN_RUN:
        return Command("status", (button.value,))
    raise ValueError(f"{button.action!r} is not an SLA alert button")
