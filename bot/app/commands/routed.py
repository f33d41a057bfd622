"""Free text after ``/sop``: the router picks the procedure, or the person picks from its
best guesses; out of scope says so. Starting goes through the front door like ``/sop run``,
so the person's rights, missing-input questions and audit are the same."""

from __future__ import annotations

from typing import Any

from bot.app.door import Asked, FrontDoor, Started
from bot.routing.extract import extract
from bot.routing.route import Candidate, Route, Router

SHOWN = 3
"""How many candidates a person picks from when the router is not sure."""


def route(
    door: FrontDoor,
    router: Router,
    text: str,
    *,
    by: str,
    thread: dict[str, Any] | None = None,
    request: str | None = None,
) -> tuple[str, Started | Asked | None]:
    """What to tell ``by`` about ``text``, and the start it led to (None when the person
    still has to pick, or nothing fits)."""
    permitted = [door.library.find(entry.id).procedure for entry in door.procedures(by).procedures]
    found = router.route(text, permitted)
    best = found.best
    if best is None:
        return out_of_scope(text), None
    if not found.confident:
        return choices(found, text), None
    note = f"That sounds like {best.procedure.title}: {run_line(best, found.inputs)}"
    return note, door.start(best.name, found.inputs, by=by, thread=thread, request=request)


def out_of_scope(text: str) -> str:
    """None of the person's procedures fits the request."""
    return (
        f"None of the procedures you can start fits '{text}'. "
        "/sop list shows them; /sop run NAME starts one."
    )


def choices(found: Route, text: str) -> str:
    """The best guesses, each with the exact command that starts it."""
    lines = ["Which one did you mean? Copy its line to start it:"]
    for number, candidate in enumerate(found.candidates[:SHOWN], start=1):
        line = run_line(candidate, extract(candidate.procedure, text))
        lines.append(f"{number}. {candidate.procedure.title}: {line}")
    return "\n".join(lines)


def run_line(candidate: Candidate, inputs: dict[str, Any]) -> str:
    """``/sop run refund order_id=1042``: what was found, quoted when it has spaces."""
    given = [
        f'{name}="{value}"' if " " in str(value) else f"{name}={value}"
        for name, value in inputs.items()
    ]
    return " ".join(["/sop run", candidate.name, *given])
