"""``sopbot graph``: the Mermaid flowchart shows every path, with shapes a reviewer can read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.catalogue.registry import Catalogue, build_catalogue
from bot.cli.app import main
from bot.procedure.graph import to_mermaid
from bot.procedure.loader import is_sop_file, load_file, load_text
from bot.procedure.model import Procedure

REPO = Path(__file__).resolve().parents[2]
SOPS = REPO / "sops"

_NODE = re.compile(
    r'^(?P<id>\w+)(?P<open>[^\w"]*)"(?P<label>[^"]*)"(?P<close>[^"]*):::(?P<cls>\w+)$'
)
_EDGE = re.compile(
    r'^(?P<source>\w+) (?P<arrow>-->|-\.->)(?:\|"(?P<label>[^"]*)"\|)? (?P<target>\w+)$'
)


@dataclass(frozen=True)
class Node:
    shape: str
    label: str
    css_class: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    dashed: bool
    label: str | None


@dataclass
class Flowchart:
    nodes: dict[str, Node]
    edges: list[Edge]
    class_names: set[str]

    def edges_from(self, source: str) -> list[Edge]:
        return [edge for edge in self.edges if edge.source == source]

    def edge(self, source: str, target: str, *, dashed: bool = False) -> Edge:
        found = [
            edge
            for edge in self.edges_from(source)
            if edge.target == target and edge.dashed == dashed
        ]
        assert len(found) == 1, f"expected one edge {source} → {target}, got {found}"
        return found[0]


def parse(text: str) -> Flowchart:
    """A tiny reader for the subset of Mermaid that ``to_mermaid`` writes; anything else fails."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    chart = Flowchart({}, [], set())
    for line in (line.strip() for line in lines[1:]):
        if line.startswith("classDef "):
            chart.class_names.add(line.split()[1])
        elif node := _NODE.match(line):
            shape = node["open"] + node["close"]
            chart.nodes[node["id"]] = Node(shape, node["label"], node["cls"])
        elif edge := _EDGE.match(line):
            dashed = edge["arrow"] == "-.->"
            chart.edges.append(Edge(edge["source"], edge["target"], dashed, edge["label"]))
        else:
            raise AssertionError(f"unexpected Mermaid line: {line!r}")
    return chart


def sample(name: str) -> Procedure:
    procedure = load_file(SOPS / f"{name}.yml").procedure
    assert procedure is not None
    return procedure


def chart_of(name: str) -> Flowchart:
    return parse(to_mermaid(sample(name), build_catalogue()))


SHAPES = {
    "decision": "{}",
    "approval": "{{}}",
    "task": "[/\\]",
    "wait": "()",
    "escalation": ">]",
    "write": "[]",
    "read": "[]",
    "compute": "[//]",
    "completed": "([])",
    "cancelled": "([])",
    "failed": "([])",
}


@pytest.mark.parametrize(
    "path",
    sorted(path for path in SOPS.glob("*.yml") if is_sop_file(path)),
    ids=lambda path: path.stem,
)
def test_every_sample_draws_a_consistent_chart(path: Path) -> None:
    procedure = load_file(path).procedure
    assert procedure is not None
    chart = parse(to_mermaid(procedure, build_catalogue()))
    for step in procedure.steps:
        assert f"s_{step.id}" in chart.nodes
    for edge in chart.edges:
        assert {edge.source, edge.target} <= chart.nodes.keys(), edge
    for node in chart.nodes.values():
        assert node.css_class in chart.class_names
        if node.css_class in SHAPES:
            assert node.shape == SHAPES[node.css_class], node


def test_reads_and_writes_come_from_the_catalogue_the_caller_gives() -> None:
    """The chart asks the catalogue it is handed, so a team's own connectors are drawn
    right; an operation that catalogue does not know is drawn as a write, the careful guess."""
    chart = parse(to_mermaid(sample("refund-request"), Catalogue([])))
    assert chart.nodes["s_look_up_order"].css_class == "write"
    assert chart.nodes["s_refund"].css_class == "write"


def test_refund_decisions_are_rhombi_with_labelled_edges() -> None:
    chart = chart_of("refund-request")
    assert chart.nodes["s_check_policy"] == Node(
        "{}", "Check the refund against policy", "decision"
    )
    assert (
        chart.edge("s_check_policy", "s_finance_approval").label
        == "refund_amount #gt; constants.approval_above"
    )
    assert (
        chart.edge("s_check_policy", "s_above_limit").label
        == "refund_amount #gt; constants.refund_limit"
    )
    assert chart.edge("s_check_policy", "s_refund").label == "otherwise"


def test_refund_approval_paths_are_visible() -> None:
    chart = chart_of("refund-request")
    approval = chart.nodes["s_finance_approval"]
    assert (approval.shape, approval.css_class) == ("{{}}", "approval")
    assert "role:finance" in approval.label
    assert chart.edge("s_finance_approval", "s_refund") == Edge(
        "s_finance_approval", "s_refund", dashed=False, label="approved"
    )
    rejected = chart.edge("s_finance_approval", "s_tell_requester_rejected", dashed=True)
    assert rejected.label == "rejected"
    timeout = next(
        e for e in chart.edges_from("s_finance_approval") if e.label == "no decision in 1d"
    )
    assert timeout.dashed
    assert chart.nodes[timeout.target] == Node(">]", "escalate to U03SAM", "escalation")


def test_writes_and_reads_differ_and_failures_are_dashed() -> None:
    chart = chart_of("refund-request")
    assert chart.nodes["s_refund"].css_class == "write"
    assert chart.nodes["s_look_up_order"].css_class == "read"
    failure = next(e for e in chart.edges_from("s_look_up_order") if e.dashed)
    assert failure.label == "fails after 3 retries"
    assert chart.nodes[failure.target].label == "escalate to role:support_leads"
    assert chart.edge("s_note_on_account", "s_tell_requester").label is None
    skipped = chart.edge("s_note_on_account", "s_tell_requester", dashed=True)
    assert skipped.label == "fails: skip"


def test_end_states_are_stadiums_by_outcome() -> None:
    chart = chart_of("refund-request")
    assert chart.nodes["s_done"] == Node("([])", "done<br/>end: completed", "completed")
    assert chart.nodes["s_rejected"].css_class == "cancelled"
    assert chart.nodes["s_more_than_paid"].css_class == "failed"
    assert chart.edges_from("s_done") == []
    assert chart.nodes["s_above_limit"].shape == ">]"
    assert chart.edges_from("s_above_limit") == []


def test_tasks_and_follow_up_waits_have_their_own_shapes() -> None:
    chart = chart_of("freight-claim")
    task = chart.nodes["s_collect_evidence"]
    assert (task.shape, task.css_class) == ("[/\\]", "task")
    assert "task: {{ account.owner }}" in task.label
    wait = chart.nodes["s_follow_up"]
    assert (wait.shape, wait.css_class) == ("()", "wait")
    assert "checked at 7d, 14d, 30d" in wait.label
    overdue = next(e for e in chart.edges_from("s_follow_up") if e.label == "timed out after 30d")
    assert overdue.dashed
    assert chart.nodes[overdue.target].css_class == "escalation"


def test_guarded_steps_get_a_yes_no_diamond() -> None:
    chart = chart_of("weekly-kpi-report")
    assert chart.nodes["g_warn_sla_breaches"] == Node(
        "{}", "metrics.sla_breaches #gt; 0?", "decision"
    )
    assert chart.edge("s_post_summary", "g_warn_sla_breaches").label is None
    assert chart.edge("g_warn_sla_breaches", "s_warn_sla_breaches").label == "yes"
    assert chart.edge("g_warn_sla_breaches", "g_escalate_many_breaches").label == "no"
    assert chart.edge("s_escalate_many_breaches", "s_done").label is None  # continue: true


def test_the_last_step_leads_to_completed() -> None:
    chart = chart_of("client-onboarding")
    assert chart.edge("s_announce", "t_completed").label is None
    assert chart.nodes["t_completed"].css_class == "completed"
    assert chart.nodes["start"].label.endswith("crm deal.stage_changed")


AWKWARD = """
id: awkward
title: Awkward names
owner: U01MARIA
version: 1
review: {every: 180d, last_reviewed: 2026-11-01}
trigger: {command: awkward}
steps:
  - id: end
    title: 'Say "hi" | <b>bye</b>'
    action: slack.post
    with: {channel: "#x", text: hi}
    on_failure: goto:nowhere
  - id: graph
    end: completed
"""


def test_keywords_quotes_pipes_and_unknown_steps_cannot_break_the_chart() -> None:
    loaded = load_text(AWKWARD)
    assert loaded.procedure is not None
    text = to_mermaid(loaded.procedure, build_catalogue())
    chart = parse(text)
    assert (
        chart.nodes["s_end"].label
        == "Say #quot;hi#quot; #124; #lt;b#gt;bye#lt;/b#gt;<br/>slack.post"
    )
    assert chart.nodes["unknown_nowhere"].css_class == "missing"
    assert chart.edge("s_end", "unknown_nowhere", dashed=True).label == "fails"
    assert not re.search(r"^\s+end\b", text, re.MULTILINE)


def test_cli_prints_the_chart_of_an_sop_by_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "pto-request", "--sops-dir", str(SOPS)]) == 0
    chart = parse(capsys.readouterr().out)
    assert chart.nodes["s_supervisor_approval"].label.endswith(
        "approval: {{ employee.supervisor }}"
    )


def test_cli_writes_the_chart_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "charts" / "refund.mmd"
    assert main(["graph", str(SOPS / "refund-request.yml"), "--output", str(output)]) == 0
    assert capsys.readouterr().out == f"wrote {output}\n"
    assert "s_finance_approval" in parse(output.read_text()).nodes


def test_cli_reports_a_missing_sop(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "refund-requst", "--sops-dir", str(SOPS)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "sopbot graph: no SOP 'refund-requst'" in captured.err
    assert "refund-request" in captured.err  # the known ids are listed


def test_cli_reports_a_broken_sop_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("id: broken\ntitle: [unclosed\n")
    assert main(["graph", str(broken)]) == 1
    error = capsys.readouterr().err
    assert f"{broken} is not a valid SOP" in error
    assert re.search(rf"{re.escape(str(broken))}:2:\d+: SOP001 ", error)


def test_cli_refuses_a_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(SOPS)]) == 1
    assert "is a folder" in capsys.readouterr().err
