"""The one table of validation rules: code, severity, concern, summary and fix hint.

Codes are stable: CI configs, docs and people's memories refer to them. The loader emits
the SOP0xx and SOP1xx codes; the rule modules emit the rest. ``docs/validation-rules.md``
lists exactly this table (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.procedure.diagnostics import Severity
from bot.procedure.source_map import MAX_DEPTH, MAX_FILE_BYTES

Concern = Literal["loader", "references", "flow", "safety", "hygiene"]

ERROR = Severity.ERROR
WARNING = Severity.WARNING


@dataclass(frozen=True)
class Rule:
    """What a code means and how to fix what it reports."""

    code: str
    severity: Severity
    concern: Concern
    summary: str
    hint: str


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule(
            "SOP000",
            ERROR,
            "loader",
            "the validator itself failed on this file",
            "this is a bug in sopbot; please report it with the file",
        ),
        Rule(
            "SOP001",
            ERROR,
            "loader",
            "the file cannot be read, or is not valid YAML",
            "fix the YAML syntax (or the file's encoding) at the position shown",
        ),
        Rule(
            "SOP002",
            ERROR,
            "loader",
            "the file does not hold one mapping",
            "start from an example in sops/ or docs/writing-sops.md",
        ),
        Rule(
            "SOP003",
            ERROR,
            "loader",
            "the file is over a safety limit: its size, nesting depth or alias expansion",
            f"keep SOP files under {MAX_FILE_BYTES // 1_000_000} MB, nested at most {MAX_DEPTH} "
            "levels, with aliases that repeat a block rather than multiply it",
        ),
        Rule(
            "SOP004",
            ERROR,
            "loader",
            "a YAML tag (such as !!python/object or !custom): SOP files hold plain data",
            "remove the tag and write the plain value",
        ),
        Rule("SOP101", ERROR, "loader", "a required key is missing", "add the key shown"),
        Rule(
            "SOP102",
            ERROR,
            "loader",
            "an unknown key: a typo, or a key in the wrong place",
            "use the suggested key, or remove it",
        ),
        Rule(
            "SOP103",
            ERROR,
            "loader",
            "a step without exactly one kind key",
            "give the step exactly one of: action, set, decide, prepare, approval, task, draft, "
            "choose, judge, wait, escalate or end",
        ),
        Rule(
            "SOP104",
            ERROR,
            "loader",
            "a value of the wrong type or form",
            "see docs/writing-sops.md for the form this key takes",
        ),
        Rule(
            "SOP201",
            ERROR,
            "references",
            "an unknown action",
            "use an operation of the catalogue, such as jira.create_issue",
        ),
        Rule(
            "SOP202",
            ERROR,
            "references",
            "an argument the action does not take",
            "use one of the operation's arguments, or remove it",
        ),
        Rule(
            "SOP203",
            ERROR,
            "references",
            "a required argument of the action is missing",
            "add the argument under 'with'",
        ),
        Rule(
            "SOP204",
            ERROR,
            "references",
            "a literal argument has the wrong type or breaks the operation's constraints",
            "give a value of the type the operation takes, or a {{ template }}",
        ),
        Rule(
            "SOP205",
            ERROR,
            "references",
            "a name that no input, saved output, computed value or built-in defines",
            "define it (an input, save_as or set) or fix the spelling",
        ),
        Rule(
            "SOP206",
            ERROR,
            "references",
            "a field that the saved result does not have",
            "use a field of the operation's result, or of the task's fields",
        ),
        Rule(
            "SOP207",
            ERROR,
            "references",
            "an expression that does not parse",
            "fix the expression; conditions are written without {{ }}",
        ),
        Rule(
            "SOP208",
            ERROR,
            "references",
            "role:NAME is not defined in roles",
            "add the role under 'roles', or fix its name",
        ),
        Rule(
            "SOP209",
            ERROR,
            "references",
            "a name used before any step that could save it",
            "move the step that saves it earlier, or use the name later",
        ),
        Rule(
            "SOP210",
            ERROR,
            "references",
            "an unknown filter or test",
            "use a Jinja filter or test such as default, lower, length or defined",
        ),
        Rule(
            "SOP211",
            ERROR,
            "references",
            "a saved or computed name that a built-in hides",
            "choose another name; inputs, trigger, run, now, today, secrets and event are built in",
        ),
        Rule(
            "SOP212",
            ERROR,
            "references",
            "a name or attribute expressions do not have: Jinja's globals (range, dict, "
            "namespace, lipsum, cycler, joiner) or a private attribute such as __class__",
            "read inputs, saved values and their fields; write lists and mappings literally",
        ),
        Rule(
            "SOP213",
            ERROR,
            "references",
            "an expression whose constant part is over the evaluation limits "
            "(a huge number, text, width or count)",
            "use smaller values; docs/writing-sops.md lists the limits",
        ),
        Rule(
            "SOP230",
            ERROR,
            "references",
            "a name read where some path to it has not saved it (one branch, a skipped "
            "step or a failed call)",
            "save it on every path (a fallback value on the other branch), or read it "
            "through the default filter, or test 'is defined' first",
        ),
        Rule(
            "SOP231",
            WARNING,
            "references",
            "a comparison or arithmetic whose two sides cannot work together (text with a "
            "number, a date with a number)",
            "compare values of the same type; convert with the int, float or string filter",
        ),
        Rule(
            "SOP232",
            ERROR,
            "references",
            "a literal compared with a choice that is not one of its choices",
            "use one of the declared choices (the spelling matters)",
        ),
        Rule(
            "SOP240",
            WARNING,
            "references",
            "a missing optional input fills a required argument that takes no null",
            "make the input required, give it a default, or guard the step with "
            "'when: inputs.NAME is not none'",
        ),
        Rule(
            "SOP250",
            ERROR,
            "references",
            "constants.NAME names no constant of this procedure",
            "add it under 'constants:', or fix the name",
        ),
        Rule(
            "SOP251",
            ERROR,
            "references",
            "a constant used where its type cannot work: a limit that takes a number given a "
            "text, or a field read from a plain value",
            "refer to a constant of the type this key takes",
        ),
        Rule(
            "SOP252",
            ERROR,
            "references",
            "an include whose file cannot be found or read, or lies outside the including "
            "file's folder",
            "give a path relative to this file, such as shared/verify-customer.steps.yml",
        ),
        Rule(
            "SOP253",
            ERROR,
            "references",
            "a block of steps that includes itself, directly or through other blocks",
            "break the cycle: a block may include others, never one that includes it back",
        ),
        Rule(
            "SOP254",
            ERROR,
            "references",
            "an included file that is not a block of steps (a mapping with a 'steps' list)",
            "write the block as 'steps:' with a list of steps, and an optional description",
        ),
        Rule(
            "SOP270",
            ERROR,
            "flow",
            "a choose step with fewer than two options",
            "give the person at least two options; for one way on, use a task",
        ),
        Rule(
            "SOP271",
            ERROR,
            "flow",
            "a choose default that is not one of its options' labels",
            "set default to one option's label exactly, or remove it so a timeout escalates",
        ),
        Rule(
            "SOP272",
            ERROR,
            "flow",
            "two options of a choose step with the same label",
            "give each option its own label: the person picks by the words on the button",
        ),
        Rule(
            "SOP280",
            ERROR,
            "safety",
            "a prepare step's reads list an operation that writes, or none of the catalogue",
            "list only read operations (get_, search_, list_): a prepared package never changes anything",
        ),
        Rule(
            "SOP281",
            ERROR,
            "safety",
            "a prepare step's read that the procedure's permissions never allow",
            "remove the read from reads, or from permissions.never",
        ),
        Rule(
            "SOP282",
            ERROR,
            "flow",
            "a prepare step with fewer than two options, or the same option twice",
            "declare two or more distinct options the model may recommend",
        ),
        Rule(
            "SOP283",
            ERROR,
            "safety",
            "an agent step's limits out of range: a prepare step's max_calls outside 1 to 20 "
            "with reads, or a prepare, judge or draft step's budget outside 1s to 10m",
            "set max_calls between 1 and 20 and budget between 1s and 10m",
        ),
        Rule(
            "SOP284",
            ERROR,
            "references",
            "an approval's prepared names no prepare step's save_as",
            "use the save_as of a prepare step that runs before the approval",
        ),
        Rule(
            "SOP285",
            ERROR,
            "references",
            "a draft step's 'for' names no operation that sends text",
            "name the operation the text goes out through, such as email.send or slack.post",
        ),
        Rule(
            "SOP301",
            ERROR,
            "flow",
            "a step reference (next, goto, otherwise, stops_at, covers, an option's goto) that "
            "names no step",
            "use the id of a step of this procedure",
        ),
        Rule(
            "SOP302",
            WARNING,
            "flow",
            "a step that no path from the first step reaches",
            "link it with next or goto, or remove it",
        ),
        Rule(
            "SOP303",
            ERROR,
            "flow",
            "a loop with no wait, approval or task in it and no way out",
            "add a decide step that leaves the loop, or a wait inside it",
        ),
        Rule(
            "SOP401",
            ERROR,
            "safety",
            "a write action with no on_failure rule (the happy-path pitfall)",
            "add on_failure: retries, then escalate, skip, stop or goto",
        ),
        Rule(
            "SOP402",
            ERROR,
            "safety",
            "an approval, task, choice or wait that has nobody to ask, or that can wait forever",
            "list people; set timeout and on_timeout (due for a task, timeout for a wait)",
        ),
        Rule(
            "SOP403",
            ERROR,
            "safety",
            "an escalation with no target and no default escalation",
            "add 'to:' here, or a procedure-wide 'escalation: {to: [...]}'",
        ),
        Rule(
            "SOP404",
            WARNING,
            "safety",
            "an escalate step that runs on every run",
            "give it a 'when', or reach it only through a decide step or a failure rule",
        ),
        Rule(
            "SOP405",
            ERROR,
            "safety",
            "a limit on an argument the action does not have",
            "limit one of the operation's arguments",
        ),
        Rule(
            "SOP406",
            WARNING,
            "safety",
            "an SLA clock with no escalations",
            "add escalations, at least one 'after: breach'",
        ),
        Rule(
            "SOP407",
            ERROR,
            "safety",
            "a write action that permissions.allow does not list",
            "add the operation to permissions.allow",
        ),
        Rule(
            "SOP408",
            ERROR,
            "safety",
            "an action that permissions.never forbids",
            "remove the step, or the operation from permissions.never",
        ),
        Rule(
            "SOP409",
            ERROR,
            "safety",
            "a value that looks like a secret",
            "move it to the secret store and write {{ secrets.NAME }}",
        ),
        Rule(
            "SOP410",
            ERROR,
            "safety",
            "a literal argument that breaks the procedure's own limit",
            "change the value, or the limit in permissions.limits",
        ),
        Rule(
            "SOP411",
            ERROR,
            "safety",
            "an approval that needs more approvals than it has approvers",
            "lower 'required', or list more approvers",
        ),
        Rule(
            "SOP412",
            ERROR,
            "safety",
            "an approval covers a step that is not an action",
            "list action steps in covers: the package shows their exact calls",
        ),
        Rule(
            "SOP413",
            WARNING,
            "safety",
            "a write that is retried although repeating it is not safe",
            "add an idempotency_key (if the operation accepts one) or drop the retry",
        ),
        Rule(
            "SOP414",
            WARNING,
            "safety",
            "an idempotency key on an operation that ignores it",
            "remove idempotency_key: this operation does not honour one",
        ),
        Rule(
            "SOP415",
            ERROR,
            "safety",
            "outgoing literal text that contains a forbidden phrase",
            "reword the text; the guardrails would block this message at run time",
        ),
        Rule(
            "SOP416",
            ERROR,
            "safety",
            "outgoing literal text that lacks a required disclosure",
            "add the disclosure text to the message",
        ),
        Rule(
            "SOP417",
            ERROR,
            "safety",
            "a secret read where it would be shown or stored",
            "read secrets.NAME and secret inputs only in a tool call's arguments (its with:)",
        ),
        Rule(
            "SOP501",
            ERROR,
            "hygiene",
            "a duplicate id: step, SLA clock, SOP id or trigger command (an SOP id may not be another's command)",
            "give each one a unique id",
        ),
        Rule(
            "SOP502",
            WARNING,
            "hygiene",
            "the procedure's review is overdue",
            "review the procedure, then update review.last_reviewed",
        ),
        Rule(
            "SOP503",
            ERROR,
            "hygiene",
            "a pattern that is not a valid regular expression",
            "fix the regular expression (Python syntax)",
        ),
    )
}
