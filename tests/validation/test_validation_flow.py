"""The flow rules against a brute-force oracle: on random step graphs, SOP302 (unreachable),
SOP303 (endless loops) and SOP209 (read before saved) fire exactly where a person tracing
every path by hand would say so."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.validation.validator import validate_text

HEADER = {
    "id": "flow",
    "title": "Flow",
    "owner": "U0OWNER1",
    "version": 1,
    "review": {"every": "90d", "last_reviewed": "2026-11-01"},
    "trigger": {"command": "flow"},
}


@st.composite
def flows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Steps s0..sN: each set step saves v<i> and reads a few v's; decide steps branch."""
    count = draw(st.integers(2, 7))
    ids = [f"s{i}" for i in range(count)]
    steps: list[dict[str, Any]] = []
    for index in range(count):
        kind = draw(st.sampled_from(["set", "set", "decide", "end"]))
        step: dict[str, Any] = {"id": ids[index]}
        reads = draw(st.lists(st.integers(0, count - 1), max_size=2, unique=True))
        condition = " and ".join(f"v{i}" for i in reads) or "true"
        if kind == "set":
            step["set"] = {f"v{index}": f"{{{{ {condition} }}}}"}
        elif kind == "decide":
            targets = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2))
            step["decide"] = [{"when": condition, "goto": target} for target in targets]
            if draw(st.booleans()):
                step["otherwise"] = draw(st.sampled_from(ids))
        else:
            step["end"] = "completed"
        if kind != "end" and draw(st.booleans()):
            step["next"] = draw(st.sampled_from(ids))
        steps.append(step)
    return steps


def successors(steps: list[dict[str, Any]]) -> list[set[int | None]]:
    """Where each step can go; None is the end of the run."""
    index = {step["id"]: position for position, step in enumerate(steps)}
    result: list[set[int | None]] = []
    for position, step in enumerate(steps):
        following = (
            index[step["next"]]
            if "next" in step
            else (position + 1 if position + 1 < len(steps) else None)
        )
        if "end" in step:
            result.append(set())
        elif "decide" in step:
            gotos: set[int | None] = {index[case["goto"]] for case in step["decide"]}
            result.append(gotos | {index[step["otherwise"]] if "otherwise" in step else following})
        else:
            result.append({following})
    return result


def reachable_from(
    start: int, graph: list[set[int | None]], *, at_least_one_move: bool
) -> set[int]:
    seen: set[int] = set() if at_least_one_move else {start}
    pending = [start]
    while pending:
        for target in graph[pending.pop()]:
            if target is not None and target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def reads(step: dict[str, Any]) -> set[int]:
    if "set" in step:
        text = next(iter(step["set"].values()))
    elif "decide" in step:
        text = step["decide"][0]["when"]
    else:
        return set()
    return {
        int(word[1:])
        for word in text.replace("{", " ").replace("}", " ").split()
        if word.startswith("v")
    }


@settings(max_examples=150, deadline=None)
@given(flows())
def test_flow_findings_match_tracing_every_path(steps: list[dict[str, Any]]) -> None:
    text = yaml.safe_dump({**HEADER, "steps": steps}, sort_keys=False)
    findings = validate_text(text, today=dt.date(2026, 11, 22)).diagnostics
    graph = successors(steps)
    count = len(steps)
    reach = [reachable_from(i, graph, at_least_one_move=True) for i in range(count)]
    from_start = reachable_from(0, graph, at_least_one_move=False)

    unreachable = {f"steps[{i}]" for i in range(count) if i not in from_start}
    assert {f.location for f in findings if f.code == "SOP302"} == unreachable

    loops = {
        frozenset(j for j in range(count) if j in reach[i] and i in reach[j])
        for i in range(count)
        if i in reach[i]
    }
    endless = [
        loop for loop in loops if all(target in loop for member in loop for target in graph[member])
    ]
    assert len([f for f in findings if f.code == "SOP303"]) == len(endless)

    savers = {i for i in range(count) if "set" in steps[i]}
    early = {
        (step, name)
        for step in from_start
        for name in reads(steps[step])
        if name in savers and not (name in from_start and step in reach[name])
    }
    found = {
        (int(f.location.split("]")[0].removeprefix("steps[")), int(f.message.split("'")[1][1:]))
        for f in findings
        if f.code == "SOP209"
    }
    assert found == early
