"""Errors the engine reports to people: each message says what to do next."""

from __future__ import annotations

from dataclasses import dataclass

from bot.procedure.inputs import InputSpec


class EngineError(Exception):
    """A request the engine refuses, with a message fit to show the person who asked."""


@dataclass
class MissingInput:
    """An input the start request did not give and the procedure says to ask for."""

    name: str
    spec: InputSpec


class MissingInputs(EngineError):
    """The run needs answers before it can start (the chat surface asks for them)."""

    def __init__(self, sop_id: str, missing: list[MissingInput]) -> None:
        names = ", ".join(item.name for item in missing)
        super().__init__(f"{sop_id} needs: {names}")
        self.sop_id = sop_id
        self.missing = missing


class InvalidInputs(EngineError):
    """Inputs were given but do not fit their declared types or rules."""


class DecisionRefused(EngineError):
    """This person may not decide this approval, or it is already decided."""


class RunNotFound(EngineError):
    """No run has that id."""


class AlreadyStarted(EngineError):
    """The same request (a redelivery, a worker taking over after a crash) asked for a run
    again: the first one stands, no second run is started."""
