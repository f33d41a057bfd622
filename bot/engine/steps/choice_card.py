"""The card of a choice: one line per option saying what picking it will do (the calls its
step makes, as an approval card shows what it covers), and one button per option."""

from __future__ import annotations

from typing import Any

from bot.chat.messages import Button, Card
from storage.models import Approval as ApprovalRow

CHOOSE_ACTION = "choose"


def shown_call(action: dict[str, Any]) -> str:
    """``crm.refund(order_id='1042', amount=640.0)``: a planned call as a card shows it; a
    call whose arguments cannot be told yet says why instead."""
    if "note" in action:
        return f"{action['operation']}(…): {action['note']}"
    arguments = ", ".join(f"{name}={value!r}" for name, value in action["arguments"].items())
    return f"{action['operation']}({arguments})"


def option_effect(option: dict[str, Any]) -> str:
    """What picking the option does, in words a person weighs before clicking."""
    calls = [shown_call(action) for action in option.get("actions", [])]
    if calls:
        return "Will run " + "; ".join(calls)
    return f"Goes on at step {option['goto']} (no tool call first)"


def suggested(suggestion: dict[str, Any]) -> str:
    """What a judge step's model suggested, or why there is no suggestion."""
    if suggestion.get("label") is None:
        return f"nothing: {suggestion.get('note')}"
    return (
        f"“{suggestion['label']}” (confidence {suggestion['confidence']:.0%}, below "
        f"{suggestion['threshold']:.0%}): {suggestion['reason']}"
    )


def choice_button_value(choice_id: str, index: int) -> str:
    """``<choice id>:<option index>`` (0-based): what an option's button carries."""
    return f"{choice_id}:{index}"


def choice_card(
    row: ApprovalRow, fields: list[tuple[str, str]], *, decided: str | None = None
) -> Card:
    """The choice's card: its options first, then who picks and by when (``fields``)."""
    package = row.package
    options: list[dict[str, Any]] = package.get("options", [])
    lines = [
        (f"{number}. {option['label']}", option_effect(option))
        for number, option in enumerate(options, start=1)
    ]
    default = package.get("default")
    lines.append(("If nobody picks", f"“{default}” is taken" if default else "the run escalates"))
    if "suggestion" in package:
        lines.insert(0, ("Suggested", suggested(package["suggestion"])))
    buttons = (
        ()
        if decided
        else tuple(
            Button(option["label"], CHOOSE_ACTION, choice_button_value(row.id, index))
            for index, option in enumerate(options)
        )
    )
    return Card(
        title=f"Choice · {package['sop']['id']} · run {package['run']}",
        summary=package["summary"],
        fields=tuple(lines + fields),
        buttons=buttons,
        footer=decided
        or f"{row.id} · {package['sop']['id']} v{package['sop']['version']} · package {row.package_hash[:12]}",
    )
