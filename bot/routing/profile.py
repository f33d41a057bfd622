"""What routing knows of a procedure: its words and its phrases, hashable so the index built
from them is made once per set of procedures, not once per request."""

from __future__ import annotations

from typing import NamedTuple

from bot.procedure.model import Procedure


class Profile(NamedTuple):
    """A procedure as routing reads it."""

    named: tuple[str, ...]
    """Texts that name what it does: intents, title, command, id, input names."""
    description: str
    phrases: tuple[str, ...]
    """Texts a request is compared with in embedding space: the intents and the title."""


def profile(procedure: Procedure) -> Profile:
    """The routing view of ``procedure``."""
    intents = tuple(procedure.trigger.intents)
    return Profile(
        named=(
            *intents,
            procedure.title,
            procedure.trigger.command or "",
            procedure.id,
            *procedure.inputs,
        ),
        description=procedure.description or "",
        phrases=(*intents, procedure.title),
    )
