"""Parsing ``/sop …`` text into commands; malformed text gets usage help, never a crash."""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass, field

USAGE = """\
/sop list                               procedures you can run
/sop show NAME                          what a procedure does, its inputs and who approves
/sop run NAME key=value …               start one: /sop run refund order_id=1042 reason=damaged;
                                        quote values with spaces: reason="arrived broken";
                                        add --mode=shadow to try it without changing anything
/sop status RUN                         where a run stands and what it waits for
/sop history [NAME]                     recent runs
/sop pending                            approvals and tasks waiting for someone
/sop approvals                          the approvals and tasks waiting for you
/sop approve ID [reason]                approve a package
/sop reject ID reason                   reject it (a reason is required)
/sop complete TASK key=value …          report a task done
/sop choose CHOICE OPTION               pick an option of a choice, by its number on the
                                        card or its label: /sop choose a-1a2b3c4d5e 2
/sop cancel RUN reason                  stop a run
/sop mode NAME                          a procedure's mode and who set it
/sop mode NAME MODE [reason]            its owners change it for new runs:
                                        /sop mode refund shadow "new CRM being tested"
/sop help                               this help
/sop <what you need, in your words>     finds the procedure: /sop my order 1042 arrived broken"""


class UsageError(ValueError):
    """The text is not a command we understand; the message includes the usage."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem}\n\n{USAGE}")
        self.problem = problem


@dataclass(frozen=True)
class Command:
    """One parsed request: a verb, its positional words and its key=value pairs."""

    verb: str
    args: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)

    @property
    def rest(self) -> str:
        """The positional words after the first, joined (a reason, say)."""
        return " ".join(self.args[1:])


VERBS: dict[str, tuple[int, str]] = {
    "help": (0, ""),
    "list": (0, ""),
    "show": (1, "/sop show NAME"),
    "run": (1, "/sop run NAME key=value …"),
    "status": (1, "/sop status RUN"),
    "history": (0, ""),
    "pending": (0, ""),
    "approvals": (0, ""),
    "approve": (1, "/sop approve ID [reason]"),
    "reject": (2, "/sop reject ID reason"),
    "complete": (1, "/sop complete TASK key=value …"),
    "choose": (2, "/sop choose CHOICE OPTION"),
    "cancel": (2, "/sop cancel RUN reason"),
    "mode": (1, "/sop mode NAME [MODE reason]"),
}


def parse(text: str) -> Command:
    """``run refund order_id=1042 reason="arrived broken"`` → Command('run', ('refund',), {...})."""
    body = text.strip()
    if body.startswith("/sop"):
        body = body[4:].strip()
    if _free_text(body):
        return Command("route", (body,))
    try:
        words = shlex.split(body)
    except ValueError as error:
        raise UsageError(f"cannot read that command: {_quoting_problem(error)}") from None
    if not words:
        return Command("help")
    verb, *rest = words
    verb = verb.lower()
    if verb not in VERBS:
        close = difflib.get_close_matches(verb, VERBS, n=1)
        hint = f" (did you mean /sop {close[0]}?)" if close else ""
        raise UsageError(f"unknown command '{verb}'{hint}")
    args: list[str] = []
    options: dict[str, str] = {}
    for word in rest:
        key, separator, value = word.partition("=")
        if separator and key.isidentifier() and verb in ("run", "complete"):
            if key in options:
                raise UsageError(f"'{key}' is given twice")
            options[key] = value
        else:
            args.append(word)
    needed, form = VERBS[verb]
    if len(args) < needed:
        raise UsageError(f"'{verb}' needs more: {form}")
    return Command(verb, tuple(args), options)


def _free_text(body: str) -> bool:
    """A request in the person's own words (``my order 1042 arrived broken``), not a verb:
    three or more words, or two that start with a word close to no verb. A typo of a verb
    (``lsit``) or one stray word gets the usage help instead."""
    words = body.split()
    if len(words) < 2 or words[0].lower() in VERBS:
        return False
    return len(words) >= 3 or not difflib.get_close_matches(words[0].lower(), VERBS, n=1)


def _quoting_problem(error: ValueError) -> str:
    """shlex's complaint in words a person acts on."""
    if "quotation" in str(error):
        return 'a quote is not closed; put a closing " after the value'
    if "escaped" in str(error):
        return "the text ends with a backslash; remove it or put the value in quotes"
    return str(error)


def choose_command(button_value: str) -> Command:
    """An option button's click (``<choice id>:<0-based index>``) as the command a person
    would type: ``choose CHOICE NUMBER``, numbered from 1 as the card shows."""
    choice_id, _, index = button_value.rpartition(":")
    number = str(int(index) + 1) if index.isdigit() else index  # a forged value is refused
    return Command("choose", (choice_id or button_value, number))
