"""Hypothesis strategies for SOP procedures: valid by construction, and drawn from small
pools of step ids, names and real operations so that generated procedures exercise the
rules (a goto that lands, a name saved later, a real action with a wrong argument)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from bot.catalogue.registry import build_catalogue
from bot.procedure.model import Procedure

STEP_IDS = ["start", "load", "check", "notify", "done", "retry_it"]
NAMES = ["order", "ticket", "amount", "call", "note"]
OPERATIONS = [*sorted(op.name for op in build_catalogue()), "jira.create_isue", "crm.refnd"]
ARGUMENTS = sorted({arg for op in build_catalogue() for arg in op.argument_names})
ROLES = ["finance", "leads"]

identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
texts = st.text(max_size=30)
seconds = st.integers(min_value=1, max_value=10**7).map(lambda s: dt.timedelta(seconds=s))
durations = seconds.map(lambda delta: f"{int(delta.total_seconds())}s")
targets = st.one_of(
    st.from_regex(r"[UWSCG][A-Z0-9]{2,8}", fullmatch=True),
    st.sampled_from(["#support", "starter"]),
    st.sampled_from(ROLES).map(lambda role: f"role:{role}"),
)
dynamic_targets = st.one_of(targets, st.sampled_from(NAMES).map(lambda n: f"{{{{ {n}.owner }}}}"))
step_ids = st.sampled_from(STEP_IDS)
names = st.sampled_from(NAMES)
conditions = st.one_of(
    st.tuples(names, st.sampled_from([".status == 'open'", " > 5", ".total", " is defined"])).map(
        "".join
    ),
    st.sampled_from(["inputs.amount > 500", "true", "not (a", "{{ x }}", "x | nofilter"]),
)
templates = st.one_of(
    texts,
    st.tuples(texts, names, st.sampled_from(["", ".id", ".totl", " | upper"])).map(
        lambda parts: f"{parts[0]}{{{{ {parts[1]}{parts[2]} }}}}"
    ),
)
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=False, allow_infinity=False),
        texts,
        templates,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(identifiers, children, max_size=3)
    ),
    max_leaves=6,
)


def _optional(
    required: dict[str, Any], optional: dict[str, Any]
) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(required, optional=optional)


outcomes = st.one_of(
    st.sampled_from(["escalate", "skip", "stop"]),
    step_ids.map(lambda step: f"goto:{step}"),
    _optional(
        {"then": st.sampled_from(["escalate", "skip", "stop"])},
        {"to": st.lists(dynamic_targets, max_size=2), "reason": templates},
    ),
)
failure_rules = st.one_of(
    outcomes,
    _optional(
        {"then": st.sampled_from(["escalate", "skip"])},
        {"retry": _optional({"attempts": st.integers(1, 5)}, {"backoff": durations})},
    ),
)
action_calls = _optional(
    {"action": st.sampled_from(OPERATIONS)},
    {
        "with": st.dictionaries(st.sampled_from(ARGUMENTS), json_values, max_size=4),
        "save_as": names,
    },
)
input_specs = st.one_of(
    _optional(
        {"type": st.sampled_from(["string", "integer", "number", "boolean", "date"])},
        {
            "description": texts,
            "required": st.booleans(),
            "pattern": st.sampled_from(["^ORD-[0-9]+$", "[unclosed"]),
            "from": templates,
            "prompt": texts,
        },
    ),
    st.fixed_dictionaries(
        {"type": st.just("choice"), "choices": st.lists(texts, min_size=1, max_size=3)}
    ),
)


step_bases = _optional({"id": step_ids}, {"title": texts, "when": conditions, "next": step_ids})


def _step(kind: str, body: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(lambda base, value: {**base, kind: value}, step_bases, body)


approvals = _optional(
    {"approvers": st.lists(dynamic_targets, min_size=1, max_size=3), "summary": templates},
    {
        "required": st.integers(1, 4),
        "facts": st.dictionaries(texts, templates, max_size=2),
        "covers": st.lists(step_ids, max_size=2),
        "timeout": durations,
        "on_timeout": outcomes,
        "on_reject": outcomes,
    },
)
tasks = _optional(
    {"assignee": dynamic_targets, "instructions": templates},
    {
        "fields": st.dictionaries(identifiers, input_specs, max_size=2),
        "due": durations,
        "on_timeout": outcomes,
    },
)
waits = st.one_of(
    _optional({"for": durations}, {"timeout": durations, "on_timeout": outcomes}),
    _optional(
        {"until": conditions, "check_every": durations},
        {"refresh": action_calls, "while_waiting": action_calls, "timeout": durations},
    ),
)
steps = st.one_of(
    st.builds(
        lambda base, call, extra: {**base, **call, **extra},
        step_bases,
        action_calls,
        _optional(
            {},
            {"on_failure": failure_rules, "idempotency_key": templates, "timeout": durations},
        ),
    ),
    _step("set", st.dictionaries(names, json_values, min_size=1, max_size=3)),
    _step(
        "decide",
        st.lists(
            st.fixed_dictionaries({"when": conditions, "goto": step_ids}), min_size=1, max_size=2
        ),
    ),
    _step("approval", approvals),
    _step("task", tasks),
    _step("wait", waits),
    _step(
        "escalate",
        _optional(
            {"reason": templates},
            {"to": st.lists(dynamic_targets, max_size=2), "continue": st.booleans()},
        ),
    ),
    _step("end", st.sampled_from(["completed", "cancelled", "failed"])),
)
limits = st.dictionaries(
    st.sampled_from(OPERATIONS),
    st.dictionaries(
        st.sampled_from(ARGUMENTS),
        st.one_of(
            st.fixed_dictionaries({"max": st.integers(0, 1000)}),
            st.fixed_dictionaries({"one_of": st.lists(json_values, min_size=1, max_size=2)}),
        ),
        min_size=1,
        max_size=2,
    ),
    max_size=2,
)
procedure_data = _optional(
    {
        "id": st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True),
        "title": texts.filter(bool),
        "owner": targets,
        "version": st.integers(1, 10**6),
        "review": st.fixed_dictionaries(
            {"every": durations, "last_reviewed": st.dates().map(dt.date.isoformat)}
        ),
        "trigger": st.one_of(
            st.fixed_dictionaries(
                {"command": st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)}
            ),
            st.fixed_dictionaries(
                {
                    "events": st.lists(
                        _optional(
                            {"source": identifiers, "type": texts},
                            {"filter": conditions},
                        ),
                        min_size=1,
                        max_size=2,
                    )
                }
            ),
            st.fixed_dictionaries({"intents": st.lists(texts, min_size=1, max_size=2)}),
        ),
        "steps": st.lists(steps, min_size=1, max_size=7),
    },
    {
        "description": texts,
        "mode": st.sampled_from(["shadow", "assist", "autonomous"]),
        "inputs": st.dictionaries(identifiers, input_specs, max_size=3),
        "roles": st.dictionaries(st.sampled_from(ROLES), st.lists(targets, max_size=3), max_size=2),
        "permissions": _optional(
            {},
            {
                "allow": st.lists(st.sampled_from(OPERATIONS), max_size=4),
                "never": st.lists(st.sampled_from(OPERATIONS), max_size=2),
                "limits": limits,
            },
        ),
        "guardrails": _optional(
            {}, {"forbidden_phrases": st.lists(texts.filter(bool), max_size=2)}
        ),
        "escalation": st.fixed_dictionaries({"to": st.lists(targets, min_size=1, max_size=2)}),
        "sla": st.lists(
            _optional(
                {"id": identifiers, "deadline": durations, "stops_at": step_ids},
                {
                    "applies_when": conditions,
                    "escalations": st.lists(
                        _optional(
                            {
                                "after": st.one_of(durations, st.just("breach")),
                                "to": st.lists(dynamic_targets, min_size=1, max_size=2),
                            },
                            {
                                "unless": conditions,
                                "message": templates,
                                "actions": st.lists(action_calls, max_size=1),
                            },
                        ),
                        max_size=2,
                    ),
                },
            ),
            max_size=2,
        ),
    },
)
procedures = procedure_data.map(Procedure.model_validate)
