"""Parsing ``/sop …`` text into commands; malformed text gets usage help, never a crash."""

from __future__ import annotations

import difflib
import re
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
/sop <what you need, in your words>     finds the procedure: /sop my order 1042 arrived broken;
                                        a verb followed by more words than it takes is a
                                        request too: /sop show me the refund procedure"""


USAGE_OF = "usage_of"
"""The verb of a text a surface could not read as the command it starts with (``@sopbot
approve a-1 it's fine``): its one word is the problem, answered as ``/sop`` answers it.
Not a word anyone types: ``parse`` never makes it."""


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


@dataclass(frozen=True)
class Verb:
    """What a verb takes: at least ``needs`` positional words, at most ``most`` (None: a
    reason or a label, any number), as its usage ``form`` says."""

    needs: int
    most: int | None
    form: str = ""


VERBS: dict[str, Verb] = {
    "help": Verb(0, 0),
    "list": Verb(0, 0),
    "show": Verb(1, 1, "/sop show NAME"),
    "run": Verb(1, 1, "/sop run NAME key=value …"),
    "status": Verb(1, 1, "/sop status RUN"),
    "history": Verb(0, 1),
    "pending": Verb(0, 0),
    "approvals": Verb(0, 0),
    "approve": Verb(1, None, "/sop approve ID [reason]"),
    "reject": Verb(2, None, "/sop reject ID reason"),
    "complete": Verb(1, 1, "/sop complete TASK key=value …"),
    "choose": Verb(2, None, "/sop choose CHOICE OPTION"),
    "cancel": Verb(2, None, "/sop cancel RUN reason"),
    "mode": Verb(1, None, "/sop mode NAME [MODE reason]"),
}

READS = frozenset({"list", "show", "status", "history", "pending", "approvals"})
"""The verbs that show procedures, runs and approvals: only this workspace's people read
them, and the answer goes to the asker alone."""


def is_read(command: Command) -> bool:
    """``command`` shows something and changes nothing (``mode NAME`` without a change is
    one too)."""
    return command.verb in READS or (command.verb == "mode" and len(command.args) == 1)


_OPENED = re.compile(r"^\w+=[\"']")
"""``reason="arrived`` : a key=value whose quoted value goes on past this word."""


def parse(text: str) -> Command:
    """``run refund order_id=1042 reason="arrived broken"`` → Command('run', ('refund',), {...})."""
    body = text.strip()
    if body.startswith("/sop"):
        body = body[4:].strip()
    problem = ""
    try:
        words: list[str] | None = shlex.split(body)
    except ValueError as error:
        words, problem = None, _quoting_problem(error)
    if _free_text(body, words):
        return Command("route", (body,))
    if words is None:
        raise UsageError(f"cannot read that command: {problem}")
    if not words:
        return Command("help")
    verb, *rest = words
    verb = verb.lower()
    if verb not in VERBS:
        close = difflib.get_close_matches(verb, VERBS, n=1)
        hint = f" (did you mean /sop {close[0]}?)" if close else ""
        raise UsageError(f"unknown command '{verb}'{hint}")
    args, pairs = _split(verb, rest)
    options: dict[str, str] = {}
    for key, value in pairs:
        if key in options:
            raise UsageError(f"'{key}' is given twice")
        options[key] = value
    if len(args) < VERBS[verb].needs:
        raise UsageError(f"'{verb}' needs more: {VERBS[verb].form}")
    return Command(verb, tuple(args), options)


def _split(verb: str, rest: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The words after ``verb``: its positional words, and its key=value pairs (only
    ``run`` and ``complete`` take those)."""
    args: list[str] = []
    pairs: list[tuple[str, str]] = []
    for word in rest:
        key, separator, value = word.partition("=")
        if separator and key.isidentifier() and verb in ("run", "complete"):
            pairs.append((key, value))
        else:
            args.append(word)
    return args, pairs


def _free_text(body: str, words: list[str] | None) -> bool:
    """A request in the person's own words (``my order 1042 arrived broken``), not a
    command: three or more words that start with no verb, or with a verb followed by more
    positional words than it takes (``help me with order 1042``, ``show me the refund
    procedure``; ``--mode=…`` and key=value are not positional); or two words that start
    with a word close to no verb. A typo of a verb (``lsit``), one stray word, or a
    key="value whose quote is not closed gets the usage help instead."""
    plain = body.split()
    if len(plain) < 2:
        return False
    verb = plain[0].lower()
    if verb not in VERBS:
        return len(plain) >= 3 or not difflib.get_close_matches(verb, VERBS, n=1)
    most = VERBS[verb].most
    if most is None or len(plain) < 3:
        return False
    if words is None:  # a quote left open: a command's value, or an apostrophe in words
        if any(_OPENED.match(word) for word in plain):
            return False
        words = plain
    args, _ = _split(verb, words[1:])
    return len([word for word in args if not word.startswith("--")]) > most


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
