"""Asking the bot in words: ``@sopbot my order 1042 arrived broken`` in a channel (Slack's
``app_mention`` event) or the same words in a direct message to it (``message.im``) is routed
like ``/sop`` free text, and answered under the message (in its thread; in a DM, in the DM).
Words that are a ``/sop`` command (``@sopbot status r-…``, ``list``, ``help``) are read by
``/sop``'s own parser and run as that command, answered in the same place, except a read
(``status``, ``list``, ``pending``…, or ``show me the refund procedure``): that is
answered in the asker's DM, never in a channel's thread; a command verb with too little
after it (``@sopbot status``) gets the usage.
A routed answer's Start buttons (here and under ``/sop`` free text) start that procedure
with what the request said, or open the form for what it did not.

An event is recorded in the inbox before Slack is answered: the recording is a listener
middleware, which Bolt runs before its automatic acknowledgement of events. The key is the
message itself (conversation and ``ts``), so Slack's retries of one event (same
``event_id``) and the two events one message may bring record it once. If it cannot be
recorded, Slack is answered 503 and delivers it again later. Messages of bots (sopbot's own
included), and message subtypes other than a file or a thread broadcast (edits, deletions,
joins), are not requests.

Slack sends a message's text in its own encoding (``&amp;``, ``<mailto:a@b.example|a@b.example>``,
``<@U03SAM>``); the request is read as the person wrote it, with the people and groups it
names written out (``@U03SAM``), so an answer that quotes the request pings nobody.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.adapters.slack.modals import QuestionTooLarge, question_modal
from bot.app.commands.parser import USAGE_OF, VERBS, Command, UsageError, is_read, parse
from bot.app.commands.routed import START, asks_to_see
from bot.app.door import FrontDoor
from bot.app.inbox import command_work
from bot.engine.errors import EngineError
from bot.identity import is_channel_id
from bot.library import UnknownProcedure
from handlers.slack.commands import unanswered
from handlers.slack.requests import NotRecorded, channel_of, click_key, record, tell_alone
from handlers.slack.text import as_written
from handlers.slack.views import ALREADY

log = logging.getLogger(__name__)


def register(app: App, door: FrontDoor) -> None:
    def record_first(
        context: BoltContext, event: dict[str, Any], next_: Callable[[], None]
    ) -> BoltResponse | None:
        """Write the request down, then let Bolt acknowledge it; 503 (Slack retries) when
        it could not be written. Anything else is acknowledged and left alone (an event
        answered otherwise than 2xx comes back)."""
        if not _is_request(event):
            next_()
            return None
        channel, ts = str(event["channel"]), str(event["ts"])
        try:
            record(door, f"mention:{channel}:{ts}", _work(event, context.bot_user_id))
        except NotRecorded:
            return BoltResponse(status=503, body="")
        next_()
        return None

    @app.event("app_mention", middleware=[record_first])
    def mentioned() -> None:
        """Recorded by ``record_first`` already; the worker routes it."""

    @app.event("message", middleware=[record_first])
    def messaged() -> None:
        """Recorded by ``record_first`` already (a person's direct message to the bot)."""

    @app.action(re.compile(rf"^{START}(#\d+)?$"))  # one action_id per candidate: #1, #2…
    def start(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        _start(door, body, client, ack)


def _start(door: FrontDoor, body: dict[str, Any], client: WebClient, ack: Ack) -> None:
    """A candidate's Start: the form for its missing inputs (sent, it is the click's one
    request), else ``/sop run`` recorded as the clicker's. Anything the engine refuses (the
    clicker may not start it) is recorded too, so the worker tells them why."""
    user, channel = body["user"]["id"], channel_of(body)
    try:
        command = parse(f"run {body['actions'][0]['value']}")
    except UsageError:  # not a value sopbot made: start nothing, say nothing
        ack()
        return
    once = _once_per_person(body)
    try:
        question = unanswered(door, command, user, channel, request=click_key(once))
    except (EngineError, UnknownProcedure, QuestionTooLarge):
        question = None
    if question is None:
        _record_start(door, once, command, ack, client)
        return
    ack()
    try:
        client.views_open(trigger_id=body["trigger_id"], view=question_modal(question))
    except Exception:  # the ack is sent; a failure here must not undo it
        log.exception("the form for %s did not open", question.subject)


def _record_start(
    door: FrontDoor, body: dict[str, Any], command: Command, ack: Ack, client: WebClient
) -> None:
    """Record the Start and acknowledge it. Pressed again by its person, it starts nothing:
    they are told their run exists; unrecorded, they are told to try again."""
    user, channel = body["user"]["id"], channel_of(body)
    try:
        fresh = record(door, click_key(body), command_work(command, by=user, channel=channel))
    except NotRecorded as sorry:
        ack()
        tell_alone(client, user, channel, str(sorry))
        return
    ack()
    if not fresh:
        tell_alone(client, user, channel, ALREADY)


def _once_per_person(body: dict[str, Any]) -> dict[str, Any]:
    """The click as one request per button and person: a Start pressed twice (a double
    click, a second press while the first is worked on) is the same request, so it starts
    one run, not one per press. Another person's press is theirs and starts their own."""
    action = body["actions"][0]
    return {**body, "actions": [{**action, "action_ts": action["action_id"]}]}


def _work(event: dict[str, Any], bot: str | None) -> dict[str, Any]:
    """The request in the message, for its author: its words (without the bot's own
    mention) as ``/sop`` reads them, answered under the message in a channel. A read
    (runs, approvals, procedures) is answered in the author's DM instead: everyone in the
    channel reads the thread, in a shared channel another organisation too."""
    said = str(event.get("text") or "")
    words = re.sub(rf"<@{re.escape(bot)}(\|[^>]*)?>", " ", said) if bot else said
    by = str(event["user"])
    command = _command(" ".join(as_written(words).split()))
    channel = str(event["channel"])
    if not is_channel_id(channel) or _reads(command):  # in the DM, to the person alone
        return command_work(command, by=by, channel=None)
    root = {"to": channel, "id": str(event.get("thread_ts") or event["ts"])}
    thread = {"to": channel, "root": root}
    return command_work(command, by=by, channel=channel, answer_in=thread)


def _reads(command: Command) -> bool:
    """A read, typed as the command or asked in words (``show me the refund procedure``)."""
    return is_read(command) or (command.verb == "route" and asks_to_see(command.args[0]))


def _command(text: str) -> Command:
    """The ``/sop`` command ``text`` is, else free text to ``route``: words ``/sop`` would
    not take as a command (``hello``) are a request in the person's words. A command verb
    that ``/sop`` refuses (too little after it, a quote not closed) gets why, and the
    usage, as ``/sop`` answers it; none left is ``help``. A ``run`` missing inputs is
    answered with its Start button (an event opens no form; the button does, with the
    inputs and the mode given)."""
    try:
        return parse(text)
    except UsageError as error:
        verb = text.split()[0].lower()
        return Command(USAGE_OF, (error.problem,)) if verb in VERBS else Command("route", (text,))


_WRITTEN = (None, "file_share", "thread_broadcast")
"""Subtypes of a message a person wrote just now: plain, with a file, or a thread reply
also sent to the channel. Edits, deletions, joins and bots' posts are not requests."""


def _is_request(event: dict[str, Any]) -> bool:
    """A person's own new message (not a bot's, not an edit) that mentions the
    bot or is a direct message to it."""
    person = bool(event.get("user")) and not event.get("bot_id")
    person = person and event.get("subtype") in _WRITTEN
    addressed = event.get("type") == "app_mention" or event.get("channel_type") == "im"
    return person and addressed
