"""The App Home tab: what is waiting for me (with the same buttons as its card), my recent
runs, recent escalations, and the procedures I may start with their ``/sop run`` usage.

Published with ``views.publish`` each time the person opens the tab; it opens often, so it
costs one read of each list through the front door and nothing else. Lists are short
(``LISTED`` items) and the view is cut at Slack's 100 blocks with a pointer to the
commands that show everything. Someone who is not a person of this workspace (a guest of
another organisation) reads none of them: their tab says why, and each refused opening is
audited as a read, as the front door audits every refused read.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.adapters.slack.blocks import button_elements
from bot.adapters.slack.text import cut, escape, pieces
from bot.app.commands.replies import input_usage
from bot.app.door import FrontDoor
from bot.app.views import Escalation, OpenItem, ProcedureEntry, RunSummary
from bot.chat.messages import Button
from bot.engine.errors import EngineError
from bot.engine.steps.choice_card import CHOOSE_ACTION, choice_button_value

log = logging.getLogger(__name__)

HOME_BLOCKS = 100
SECTION_TEXT = SectionBlock.text_max_length
LISTED = 10
"""Items shown per list; ``/sop approvals``, ``/sop history`` and ``/sop list`` show all."""
MORE = "More than fits here: `/sop approvals`, `/sop history` and `/sop list` show everything."


def register(app: App, door: FrontDoor) -> None:
    @app.event("app_home_opened")
    def opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return  # the Messages tab: nothing to publish
        user = str(event["user"])
        try:
            client.views_publish(user_id=user, view=home_view(door, user))
        except Exception:  # Slack was answered already; the next opening tries again
            log.exception("the Home tab of %s was not published", user)


def home_view(door: FrontDoor, user: str) -> View:
    """``user``'s Home tab as it stands now."""
    blocks: list[Block] = [HeaderBlock(text="sopbot")]
    try:
        door.check_reader(user, "home")
    except EngineError as refused:
        return View(type="home", blocks=[*blocks, _text(escape(str(refused)))])
    blocks += _part("Waiting for you", _waiting(door.pending(user)[:LISTED]), "Nothing.")
    blocks += _part(
        "Your recent runs",
        _lines(_run_line(run) for run in door.history(limit=LISTED, started_by=user)),
        "You have not started a run yet.",
    )
    blocks += _part(
        "Recent escalations",
        _lines(_escalation_line(e) for e in door.escalations(LISTED)),
        "None.",
    )
    blocks += _part(
        "Procedures you can start",
        _lines(_procedure_line(door, p) for p in door.procedures(user).procedures),
        "None is served now.",
    )
    return View(type="home", blocks=_fit(blocks))


def _part(title: str, body: list[Block], empty: str) -> list[Block]:
    return [DividerBlock(), HeaderBlock(text=title), *(body or [_text(empty)])]


def _waiting(items: list[OpenItem]) -> list[Block]:
    """Each approval or task with its buttons (the card's own action ids and values)."""
    blocks: list[Block] = []
    for item in items:
        summary, _ = cut(escape(item.summary), SECTION_TEXT - 200)
        blocks.append(
            _text(
                f"*{item.kind.title()}* `{item.id}` · run `{item.run_id}` · "
                f"due {_at(item.due_at)}\n{summary}"
            )
        )
        if item.kind == "approval":
            buttons = [
                ButtonElement(text="Approve", action_id="approve", value=item.id, style="primary"),
                ButtonElement(text="Reject", action_id="reject", value=item.id, style="danger"),
            ]
        elif item.options:  # a choice: one button per option, as on its card
            buttons = button_elements(
                [
                    Button(label, CHOOSE_ACTION, choice_button_value(item.id, index))
                    for index, label in enumerate(item.options)
                ]
            )
        else:
            buttons = [
                ButtonElement(text="Complete", action_id="complete", value=item.id, style="primary")
            ]
        blocks.append(ActionsBlock(elements=buttons))
    return blocks


def _run_line(run: RunSummary) -> str:
    return f"`{run.id}` {escape(run.sop_id)} · {run.status} · started {_at(run.created_at)}"


def _escalation_line(escalation: Escalation) -> str:
    why = escape(escalation.reason or "no reason recorded")
    return f"`{escalation.run.id}` {escape(escalation.run.sop_id)}: {why}"


def _procedure_line(door: FrontDoor, entry: ProcedureEntry) -> str:
    if entry.command:
        how = f"`{input_usage(door.library.find(entry.id).procedure)}`"
    elif entry.schedule:
        how = f"runs on schedule {entry.schedule}"
    else:
        how = "starts on " + (", ".join(entry.events) or "intent phrases")
    return f"*{escape(entry.title)}* ({entry.mode}): {escape(how)}"


def _lines(lines: Iterable[str]) -> list[Block]:
    """Lines as few sections as Slack's section text allows, split at line ends."""
    text = "\n".join(line for line, _ in (cut(line, SECTION_TEXT) for line in lines))
    return [_text(piece) for piece in pieces(text, SECTION_TEXT)] if text else []


def _fit(blocks: list[Block]) -> list[Block]:
    """At most Slack's 100 blocks; when cut, the last one says where the rest is."""
    if len(blocks) <= HOME_BLOCKS:
        return blocks
    return [*blocks[: HOME_BLOCKS - 1], ContextBlock(elements=[MarkdownTextObject(text=MORE)])]


def _text(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _at(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
