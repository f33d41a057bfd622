"""Who may do what: start a run, decide an approval or task, cancel a run, choose or set a mode.

The rules live here once. The engine asks them at the moment it acts, so a command, a
button, an event, a schedule and a test harness all meet the same rules and no surface can
go around them; the front door asks them too, to show each person what is theirs. Every
rule answers with the reason a person is refused, in words they can act on, or None.

Pure rules: no database and no engine; the directory says who is a person and who is in
which group. (The engine imports this one module of ``bot.app``; it imports nothing back.)
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.directory import Directory
from bot.identity import mentions
from bot.procedure.model import Procedure

CARE = ("autonomous", "assist", "shadow")
"""The modes from least to most careful."""


def careful_enough(mode: str) -> list[str]:
    """``mode`` and every mode more careful than it, in order."""
    return list(CARE[CARE.index(mode) :])


def mode_refusal(procedure: Procedure, current: str, asked: str) -> str | None:
    """Care only tightens at run time: a starter may ask for the procedure's ``current``
    mode or a more careful one, never a less careful one; only its owners change its mode."""
    allowed = careful_enough(current)
    if asked in allowed:
        return None
    options = " or ".join(f"--mode={mode}" for mode in allowed[1:])
    may = options or f"{current} is already the most careful mode"
    return (
        f"{procedure.id} runs in {current} mode; --mode={asked} would make it less "
        f"careful, and a starter may only make a run more careful ({may}). Only its "
        f"owner {mentions([procedure.owner])} changes its mode, with "
        f"/sop mode {procedure.id} {asked}."
    )


def owners(procedure: Procedure) -> list[str]:
    """Who owns a procedure: its ``owner``, or the members of the role it names (a user
    group's members count through ``is_decider``)."""
    if procedure.owner.startswith("role:"):
        return list(procedure.roles.get(procedure.owner.removeprefix("role:"), []))
    return [procedure.owner]


def set_mode_refusal(directory: Directory, user_id: str, procedure: Procedure) -> str | None:
    """Only its owners change a procedure's mode (DESIGN promise 10): the owner, or a person
    in the owner group; never a group or channel posing as one."""
    if directory.is_person(user_id) and is_decider(directory, user_id, owners(procedure)):
        return None
    return (
        f"only the owner of {procedure.id}, {mentions([procedure.owner])}, changes its mode; "
        "ask them, or start a run more carefully yourself with --mode"
    )


def _not_of_this_workspace(user_id: str, what: str) -> str:
    """Why ``user_id`` may not do ``what``: sopbot acts for this workspace's people alone,
    and a guest of another organisation in a Slack Connect channel is told so as plainly as
    a user group or a channel posing as a person."""
    return (
        f"{user_id} is not a person of this workspace: only people in the directory {what}, "
        "never a user group, a channel, or a guest from another organisation in a shared "
        "channel"
    )


def start_refusal(directory: Directory, user_id: str) -> str | None:
    """Any person of this workspace may start any served procedure by hand; a user group, a
    channel, an ID nobody has or a guest of another organisation never starts one (events
    and schedules start runs as sopbot)."""
    if directory.is_person(user_id):
        return None
    why = _not_of_this_workspace(user_id, "start procedures")
    return f"{why}; ask someone of this workspace to start it"


def read_refusal(directory: Directory, user_id: str) -> str | None:
    """Runs, approvals and procedures are this workspace's business: only its people read
    them. A mention is answered where the whole channel reads it, in a Slack Connect
    channel another organisation too, so a guest of that organisation is no reader."""
    if directory.is_person(user_id):
        return None
    return _not_of_this_workspace(user_id, "see procedures, runs and approvals")


def is_decider(directory: Directory, user_id: str, deciders: Iterable[str]) -> bool:
    """True when ``user_id`` is one of ``deciders`` or a member of a listed group."""
    return any(user_id == decider or user_id in directory.members(decider) for decider in deciders)


def decide_refusal(
    directory: Directory,
    user_id: str,
    *,
    item_id: str,
    deciders: list[str],
    started_by: str | None,
    allow_starter: bool,
    approving: bool,
) -> str | None:
    """Only listed people decide (a group or channel never counts as one), and not to
    approve their own run unless the SOP allows it."""
    names = mentions(list(dict.fromkeys(deciders)))
    if not directory.is_person(user_id):
        why = _not_of_this_workspace(user_id, "decide")
        return f"{why}. One of {names} must decide {item_id} themselves"
    if not is_decider(directory, user_id, deciders):
        return f"only {names} may decide {item_id}"
    if approving and user_id == started_by and not allow_starter:
        return "you started this run, so someone else must approve it"
    return None


def cancellers(procedure: Procedure, started_by: str | None) -> list[str]:
    """Who may stop a run: whoever started it, the procedure's owner, and whoever it
    escalates to (the people who take over when it goes wrong)."""
    escalation = procedure.escalation.to if procedure.escalation else []
    people = [started_by] if started_by else []
    return list(dict.fromkeys([*people, procedure.owner, *escalation]))


def cancel_refusal(
    directory: Directory, user_id: str, *, run_id: str, procedure: Procedure, started_by: str | None
) -> str | None:
    """Only a person among ``cancellers`` (or in one of their groups) stops a run."""
    allowed = cancellers(procedure, started_by)
    if directory.is_person(user_id) and is_decider(directory, user_id, allowed):
        return None
    return (
        f"only {mentions(allowed)} may cancel run {run_id} (whoever started it, "
        f"the owner of {procedure.id}, or whoever it escalates to); ask one of them"
    )


def respond_refusal(directory: Directory, user_id: str) -> str | None:
    """Anyone alerted may acknowledge an SLA alert or take the run over (an alert lands in
    channels, and on-call people change), but only a person: a group or channel never
    answers for the people in it."""
    if directory.is_person(user_id):
        return None
    return _not_of_this_workspace(user_id, "acknowledge alerts or take runs over")
