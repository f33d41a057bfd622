"""Free text after ``/sop`` (or to the bot in Slack): the router picks the procedure, or the
person picks from its best guesses, each with a Start button; out of scope says so. Starting
goes through the front door like ``/sop run``, so the person's rights, missing-input
questions and audit are the same."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.app.door import QUOTED, Asked, FrontDoor, Started
from bot.chat.messages import Button, Card
from bot.chat.port import Undeliverable
from bot.identity import inert
from bot.procedure.model import Procedure
from bot.routing.extract import extract, readable
from bot.routing.route import Candidate, Route, Router

SHOWN = 3
"""How many candidates a person picks from when the router is not sure."""
START = "start_procedure"
"""The action of a candidate's Start button; its value is what follows ``/sop run``."""
VALUE_LIMIT = 2000
"""The longest button value Slack takes; longer found inputs are left to the form."""


@dataclass(frozen=True)
class Routed:
    """What to tell the person, the start it led to (None when they still have to pick, or
    nothing fits) and the candidates as buttons when they pick."""

    note: str
    outcome: Started | Asked | None = None
    card: Card | None = None
    shows: str | None = None
    """A procedure the person asked to see, not to start (``show me the refund procedure``)."""


def route(
    door: FrontDoor,
    router: Router,
    text: str,
    *,
    by: str,
    thread: dict[str, Any] | None = None,
    request: str | None = None,
) -> Routed:
    """What to tell ``by`` about ``text``. A sure route whose missing inputs the surface
    cannot ask for where the request came from (a mention opens no form in Slack) gets its
    Start button instead, which can. The caller has refused someone who may start nothing
    (``FrontDoor.check_starter``): they are told why before the router is set up."""
    permitted = [door.library.find(entry.id).procedure for entry in door.procedures(by).procedures]
    found = router.route(text, permitted)
    best = found.best
    if best is None:
        return Routed(out_of_scope(text))
    if asks_to_see(text):
        return _to_see(found)
    if not found.confident:
        return choices(found, text)
    note = f"That sounds like {best.procedure.title}: {run_line(best, found.inputs)}"
    try:
        return Routed(
            note, door.start(best.name, found.inputs, by=by, thread=thread, request=request)
        )
    except Undeliverable:
        return offer_start(note, best, found.inputs)


def offer_run(procedure: Procedure, inputs: dict[str, Any], mode: str | None) -> Routed:
    """``/sop run`` of ``procedure`` asked where its form cannot open (a mention): its Start
    button, with the inputs and the mode given."""
    named = Candidate(procedure, score=1.0)
    note = f"{procedure.title}: {run_line(named, inputs, mode)}"
    return offer_start(note, named, inputs, mode)


def offer_start(
    note: str, candidate: Candidate, inputs: dict[str, Any], mode: str | None = None
) -> Routed:
    """``note`` with the candidate's Start button, for a start whose missing inputs cannot
    be asked where the request came from (a mention opens no form): the button can."""
    card = Card(
        title=candidate.procedure.title,
        summary=note,
        buttons=(start_button(candidate, inputs, mode),),
    )
    return Routed(f"{note}\nIt needs more from you: press Start.", card=card)


def out_of_scope(text: str) -> str:
    """None of the person's procedures fits the request, quoted short and inert: a pasted
    document would come back whole (a dozen thread replies), and a person or group it
    names would be pinged by the answer."""
    return (
        f"None of the procedures you can start fits '{inert(text, QUOTED)}'. "
        "/sop list shows them; /sop run NAME starts one."
    )


SEEING = frozenset({"show", "describe", "explain"})
"""First words of a request to see a procedure rather than start it."""
_FIRST_WORDS = re.compile(r"\W*(\w+)\W*(\w*)")
"""The request's first two words, whatever is around them (``Please, show``)."""


def asks_to_see(text: str) -> bool:
    """``show me the refund procedure`` (or ``please show …``, in full-width letters too,
    as routing reads them): the person wants to read it, not run it."""
    found = _FIRST_WORDS.match(readable(text).casefold())
    if found is None:
        return False
    first, second = found.groups()
    return (second if first == "please" else first) in SEEING


def _to_see(found: Route) -> Routed:
    """The procedure to show when the router is sure; else the candidates' show lines."""
    best = found.best
    assert best is not None, "a route to see has a candidate"
    if found.confident:
        return Routed("", shows=best.name)
    lines = ["Which one did you mean?"] + [
        f"{number}. {candidate.procedure.title}: /sop show {candidate.name}"
        for number, candidate in enumerate(found.candidates[:SHOWN], start=1)
    ]
    return Routed("\n".join(lines))


def choices(found: Route, text: str) -> Routed:
    """The best guesses, each with the exact command that starts it and a Start button."""
    lines = ["Which one did you mean? Copy its line to start it:"]
    buttons = []
    for number, candidate in enumerate(found.candidates[:SHOWN], start=1):
        inputs = extract(candidate.procedure, text)
        lines.append(f"{number}. {candidate.procedure.title}: {run_line(candidate, inputs)}")
        buttons.append(start_button(candidate, inputs))
    note = "\n".join(lines)
    card = Card(title="Which one did you mean?", summary=note, buttons=tuple(buttons))
    return Routed(note, card=card)


def run_line(candidate: Candidate, inputs: dict[str, Any], mode: str | None = None) -> str:
    """``/sop run refund order_id=1042``: what was found, quoted when it has spaces."""
    return f"/sop run {run_words(candidate, inputs, mode)}"


def run_words(candidate: Candidate, inputs: dict[str, Any], mode: str | None = None) -> str:
    """``refund order_id=1042 --mode=shadow``: the words after ``/sop run``, each value read
    back whole (a quote in the words must not end the value and start another input)."""
    given = [f"{name}={_quoted(str(value))}" for name, value in inputs.items()]
    return " ".join([candidate.name, *given, *_mode_words(mode)])


def _mode_words(mode: str | None) -> list[str]:
    """``--mode=shadow`` when the start asks for a mode."""
    return [f"--mode={_quoted(mode)}"] if mode else []


def _quoted(value: str) -> str:
    """``value`` as ``/sop run`` reads it: as is, or in double quotes with ``"`` and ``\\``
    escaped when it has spaces or quoting characters."""
    if value and not re.search(r"[\s\"'\\]", value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def start_button(candidate: Candidate, inputs: dict[str, Any], mode: str | None = None) -> Button:
    """``Start <title>``: runs the candidate with what was found (the form asks the rest),
    in ``mode`` when one was asked for."""
    words = run_words(candidate, inputs, mode)
    value = words if len(words) <= VALUE_LIMIT else run_words(candidate, {}, mode)
    return Button(f"Start {candidate.procedure.title}", START, value, style="primary")
