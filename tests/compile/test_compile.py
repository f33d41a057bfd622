"""``sopbot compile``: written procedures become SOP drafts that validate, carry their
provenance, are repaired with the validator's findings, turn unknown operations into tasks
for a person, and run nowhere until a person accepts them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli.app import main
from bot.compile.draft import Provenance
from bot.compile.prompt import example_sop
from bot.procedure.model import Procedure
from bot.procedure.steps import step_kind
from bot.validation.validator import validate_paths, validate_text
from storage import audit
from storage.database import Database
from tests.compile.conftest import Workspace, sample_text
from tests.llm.fake_openai import MODEL, FakeOpenAI, json_reply


def answer(sop_yaml: str, human_tasks: tuple[str, ...] = (), notes: str = "") -> Any:
    return json_reply({"sop_yaml": sop_yaml, "human_tasks": list(human_tasks), "notes": notes})


def written_draft(workspace: Workspace, name: str, text: str) -> Path:
    """A draft of refund-request.md as it is written now, with ``text`` as its SOP."""
    source = workspace.procedure("refund-request")
    compiled = Provenance.of(source, source.read_text(encoding="utf-8"), MODEL, dt.date.today())
    draft = workspace.root / "docs" / f"{name}.sop.yml"
    draft.write_text(compiled.header() + text, encoding="utf-8")
    return draft


def draft_procedure(path: Path) -> Procedure:
    loaded = validate_text(path.read_text(encoding="utf-8"), str(path))
    assert loaded.procedure is not None, [d.render() for d in loaded.diagnostics]
    assert not loaded.diagnostics, [d.render() for d in loaded.diagnostics]
    return loaded.procedure


def served_ids(sops: Path) -> set[str]:
    """The procedures the library would serve from ``sops``."""
    return {procedure.id for procedure in validate_paths([sops]).procedures}


def test_the_written_refund_procedure_compiles_to_a_draft_beside_it(
    workspace: Workspace, fake_openai: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_openai.on("(refund-request.md)", answer(sample_text("refund-request")))

    code = main(["compile", "docs/refund-request.md"])

    out = capsys.readouterr().out
    assert code == 0, out
    assert f"Wrote {Path('docs/refund-request.sop.yml')} (model {MODEL}, 0 repair rounds)" in out
    draft = workspace.draft("refund-request")
    first = draft.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith(
        f"# Compiled from refund-request.md (sha256 {workspace.sha256('refund-request')}) "
        f"by model {MODEL} on "
    )
    procedure = draft_procedure(draft)
    assert procedure.id == "refund-request"
    assert [(step.id, step_kind(step)) for step in procedure.steps][:5] == [
        ("look_up_order", "action"),
        ("refund_amount", "set"),
        ("check_policy", "decide"),
        ("finance_approval", "approval"),
        ("refund", "action"),
    ]
    approval = procedure.steps[3].approval  # type: ignore[union-attr]
    assert (approval.approvers, approval.covers) == (["role:finance"], ["refund"])
    assert procedure.permissions.limits["crm.refund"]["amount"].max == 2000
    # The model was given the rules, the catalogue, the schema, an example and the prose.
    [request] = fake_openai.requests
    system_prompt = request.messages[0]["content"]
    assert "Never invent an operation" in system_prompt
    assert (
        "- crm.refund (write, takes idempotency_key): Refund (part of) an order." in system_prompt
    )
    assert '"required_disclosures"' in system_prompt
    assert "id: reopened-ticket" in system_prompt
    assert "refunds above 2,000 are never made by the bot" in request.user_messages[-1]


def test_the_written_bug_escalation_compiles_with_its_event_trigger_and_limits(
    workspace: Workspace, fake_openai: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_openai.on("(bug-escalation.md)", answer(sample_text("bug-escalation")))

    assert main(["compile", "docs/bug-escalation.md"]) == 0, capsys.readouterr().out

    procedure = draft_procedure(workspace.draft("bug-escalation"))
    assert procedure.mode == "autonomous"
    assert procedure.trigger.events[0].type == "ticket.tagged"
    assert [step.id for step in procedure.steps] == [
        "read_ticket",
        "read_account",
        "by_tier",
        "enterprise_priority",
        "standard_priority",
        "open_bug",
        "raise_risk",
        "notify_channel",
        "comment_on_ticket",
    ]
    actions = [getattr(step, "action", None) for step in procedure.steps]
    assert [action for action in actions if action] == [
        "crm.get_ticket",
        "crm.get_account",
        "jira.create_issue",
        "crm.set_risk",
        "slack.post",
        "crm.add_note",
    ]
    assert procedure.permissions.limits["jira.create_issue"]["project"].one_of == ["BUG"]
    assert "crm.refund" in procedure.permissions.never


def test_a_repair_round_sends_the_finding_back_and_keeps_the_fixed_answer(
    workspace: Workspace, fake_openai: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    fixed = sample_text("refund-request")
    broken = fixed.replace(
        'order.customer_email }}"\n        Requested', 'order.customer_mail }}"\n        Requested'
    )
    [finding] = validate_text(broken).diagnostics
    fake_openai.on("(refund-request.md)", answer(broken))
    fake_openai.on("sopbot validate found these problems", answer(fixed))

    code = main(["compile", "docs/refund-request.md"])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "1 repair round)" in out
    _first, second = fake_openai.requests
    assert finding.code in second.user_messages[-1]
    assert finding.message in second.user_messages[-1]
    assert "customer_mail" in second.messages[-2]["content"]  # its own answer, as it was
    draft = workspace.draft("refund-request").read_text(encoding="utf-8")
    assert "customer_mail" not in draft
    assert draft.endswith(fixed.split("\n", 2)[2])


def test_a_step_no_operation_does_becomes_a_task_for_a_person_never_an_invented_action(
    workspace: Workspace, fake_openai: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    invented = (
        sample_text("refund-request")
        .replace(
            "  - id: note_on_account\n",
            "  - id: credit_note\n"
            "    title: Issue a credit note in the ERP\n"
            "    action: erp.issue_credit_note\n"
            '    with: {order_id: "{{ order.id }}", amount: "{{ refunded.amount }}"}\n'
            "    save_as: credit\n"
            "    on_failure: escalate\n"
            "  - id: note_on_account\n",
        )
        .replace(
            "on {{ order.id }} ({{ refunded.refund_id }}): {{ inputs.reason }}",
            "on {{ order.id }} ({{ refunded.refund_id }}, credit note {{ credit.number }})",
        )
        .replace("allow: [crm.get_order,", "allow: [erp.issue_credit_note, crm.get_order,")
    )
    fake_openai.on("(refund-request.md)", answer(invented))
    fake_openai.on("sopbot validate found these problems", answer(invented))  # still invented

    code = main(["compile", "docs/refund-request.md", "--rounds", "1"])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "Tasks for a person, as no operation does them: credit_note" in out
    assert "unknown action 'erp.issue_credit_note'" in fake_openai.requests[1].user_messages[-1]
    draft = workspace.draft("refund-request")
    procedure = draft_procedure(draft)  # valid: no unknown action is left anywhere
    assert "erp.issue_credit_note" not in {
        getattr(step, "action", None) for step in procedure.steps
    }
    step = procedure.steps[procedure.step_index()["credit_note"]]
    assert step_kind(step) == "task"
    task = step.task  # type: ignore[union-attr]
    assert task.assignee == "U01MARIA"  # the owner
    assert "no operation 'erp.issue_credit_note'" in task.instructions
    assert "amount: {{ refunded.amount }}" in task.instructions
    assert list(task.fields) == ["number"]  # what the note reads from it
    assert (task.due, task.on_timeout.then) == (dt.timedelta(days=1), "escalate")  # type: ignore[union-attr]
    assert "erp.issue_credit_note" not in procedure.permissions.allow


def test_without_a_model_compile_says_how_to_set_one_and_writes_nothing(
    workspace: Workspace,
    fake_openai: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("SOPBOT_LLM_API_KEY", "SOPBOT_LLM_BASE_URL", "SOPBOT_LLM_MODEL"):
        monkeypatch.delenv(name)

    code = main(["compile", "docs/refund-request.md"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().count("\n") == 0
    assert "compiling needs a model" in err
    assert "docs/llm.md" in err
    assert not workspace.draft("refund-request").exists()
    assert not (workspace.root / "sopbot.db").exists()
    assert fake_openai.requests == []


def test_a_draft_is_served_only_after_a_person_accepts_it(
    workspace: Workspace, fake_openai: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_openai.on("(refund-request.md)", answer(sample_text("refund-request")))
    refused = main(["compile", "docs/refund-request.md", "--out", "sops/refund.yml"])
    assert refused == 2
    assert "would be served before anyone accepted it" in capsys.readouterr().err
    assert list(workspace.sops.iterdir()) == []

    assert main(["compile", "docs/refund-request.md"]) == 0
    assert served_ids(workspace.sops) == set()

    draft = workspace.draft("refund-request")
    assert main(["compile", "--accept", str(draft)]) == 0
    assert "Accepted as" in capsys.readouterr().out
    assert served_ids(workspace.sops) == {"refund-request"}
    assert not draft.exists()
    accepted = (workspace.sops / "refund-request.yml").read_text(encoding="utf-8")
    assert accepted.startswith("# Compiled from refund-request.md (sha256 ")
    assert "A draft" not in accepted


def test_a_draft_with_errors_is_not_accepted(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = sample_text("refund-request").replace("crm.get_order\n", "crm.get_ordr\n")
    draft = written_draft(workspace, "broken", broken)

    assert main(["compile", "--accept", str(draft)]) == 1

    captured = capsys.readouterr()
    assert "SOP201" in captured.out
    assert "was not accepted" in captured.err
    assert list(workspace.sops.iterdir()) == []
    assert draft.exists()


def test_a_draft_for_an_existing_sop_is_shown_as_a_diff(
    workspace: Workspace, fake_openai: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = workspace.sops / "refund-request.yml"
    existing.write_text(sample_text("refund-request"), encoding="utf-8")
    lowered = sample_text("refund-request").replace("approval_above: 500", "approval_above: 250")
    fake_openai.on("(refund-request.md)", answer(lowered))

    assert main(["compile", "docs/refund-request.md"]) == 0

    out = capsys.readouterr().out
    assert f"--- {existing}" in out
    assert f"+++ {Path('docs/refund-request.sop.yml')}" in out
    assert "\n-  approval_above: 500 # finance approves refunds above this\n" in out
    assert "\n+  approval_above: 250 # finance approves refunds above this\n" in out
    assert "\n+# Compiled from refund-request.md" in out

    other = workspace.root / "old.yml"
    other.write_text(lowered, encoding="utf-8")
    assert main(["compile", "docs/refund-request.md", "--diff", str(other)]) == 0
    diff = capsys.readouterr().out
    assert "approval_above" not in diff
    assert f"--- {other}" in diff


def test_each_compile_request_is_in_the_audit_log_without_the_procedure_text(
    workspace: Workspace,
    fake_openai: FakeOpenAI,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOPBOT_DATABASE_URL", database.url.render_as_string(hide_password=False))
    fake_openai.on("(refund-request.md)", answer(sample_text("refund-request")))

    assert main(["compile", "docs/refund-request.md"]) == 0

    with database.session(read_only=True) as session:
        [event] = audit.recent(session)
    assert (event.action, event.outcome, event.run_id) == ("llm.compile", "answered", None)
    assert event.detail["model"] == MODEL
    assert "refund" not in yaml.safe_dump(event.detail)


def test_the_example_the_model_is_shown_passes_the_validator() -> None:
    loaded = validate_text(example_sop())
    assert loaded.procedure is not None
    assert loaded.diagnostics == []
    assert {step_kind(step) for step in loaded.procedure.steps} >= {"action", "approval", "task"}


@pytest.mark.parametrize(
    ("draft_text", "clash"),
    [
        (lambda text: text, "SOP id 'refund-request' is already used by"),
        (
            lambda text: text.replace("id: refund-request", "id: refund-again", 1),
            "the command '/sop run refund' is already used by",
        ),
        (
            lambda text: text.replace("id: refund-request", "id: refund", 1).replace(
                "command: refund", "command: refund-now", 1
            ),
            "SOP id 'refund' is already the command '/sop run refund' of",
        ),
    ],
    ids=["same-id", "same-command", "id-is-the-other-s-command"],
)
def test_a_draft_that_clashes_with_another_served_sop_is_not_accepted(
    workspace: Workspace,
    capsys: pytest.CaptureFixture[str],
    draft_text: Any,
    clash: str,
) -> None:
    """Accepting would leave two SOPs answering to one name in the folder (one id, one
    command, or an id that is the other's command, which '/sop run' finds either way),
    and the library would serve only one of them: the accept refuses instead."""
    legacy = workspace.sops / "legacy-refund.yml"
    legacy.write_text(sample_text("refund-request"), encoding="utf-8")
    draft = written_draft(workspace, "refund", draft_text(sample_text("refund-request")))

    assert main(["compile", "--accept", str(draft)]) == 1

    err = capsys.readouterr().err
    assert clash in err
    assert str(legacy) in err
    assert sorted(path.name for path in workspace.sops.iterdir()) == ["legacy-refund.yml"]
    assert draft.exists()


def test_the_model_s_notes_reach_the_terminal_as_plain_bounded_text(
    workspace: Workspace, fake_openai: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reviewer decides from this output: a model cannot rewrite the screen (clear a
    line, fake a verdict, set the clipboard) or bury it under megabytes."""
    forged = "\x1b[2K\r\x1b[32mValid; accepted already.\x1b[0m\x1b]52;c;ZXZpbA==\x07\u202e"
    fake_openai.on(
        "(refund-request.md)",
        answer(sample_text("refund-request"), (forged,), forged + " " + "n" * 5_000_000),
    )

    assert main(["compile", "docs/refund-request.md"]) == 0

    out = capsys.readouterr().out
    assert not any(char in out for char in "\x1b\x07\r\u202e")
    assert "Valid; accepted already." in out  # shown, as the model's words
    assert len(out) < 10_000
