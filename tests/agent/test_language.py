"""The agent steps in the language: a prepared package's fields are known to the validator,
``sopbot show`` says what a prepare step does with and without a model, and a judge step
is checked as a choice is."""

from __future__ import annotations

import textwrap

from bot.procedure.summary import describe_step
from bot.validation.validator import validate_text
from tests.agent.conftest import REFUND
from tests.agent.test_draft import REPLY
from tests.agent.test_judge import CLAIM


def test_a_misspelt_package_field_is_reported_before_anything_runs() -> None:
    text = textwrap.dedent(REFUND).replace("package.recommendation", "package.recomendation")
    (finding,) = validate_text(text).diagnostics
    assert finding.code == "SOP206"
    assert "did you mean 'recommendation'" in finding.message


def test_show_says_what_the_model_may_read_and_what_happens_without_one() -> None:
    loaded = validate_text(textwrap.dedent(REFUND))
    assert loaded.procedure is not None
    line = describe_step(loaded.procedure.steps[0], loaded.procedure)
    assert line == (
        "a model prepares a package reading crm.get_order, crm.get_ticket (at most 4) "
        "within 30s, recommending one of full_refund, partial_refund, deny; "
        "without a model, the facts alone"
    )


def test_a_judge_step_is_checked_as_a_choice_is() -> None:
    """Its options lead to steps, can be told apart, and a person's pick has a deadline."""
    text = (
        textwrap.dedent(CLAIM)
        .replace("      timeout: 1d\n", "", 1)
        .replace("Deny the claim, goto: deny", "Pay the claim, goto: dney")
    )
    codes = sorted(finding.code for finding in validate_text(text).diagnostics)
    assert codes == ["SOP272", "SOP301", "SOP402"]


def test_a_draft_step_is_checked_as_a_task_is() -> None:
    """Whoever writes the text when the model cannot has a deadline and a rule for missing
    it; the draft is read as NAME.text."""
    text = (
        textwrap.dedent(REPLY).replace("      due: 1d\n", "", 1).replace("reply.text", "reply.body")
    )
    codes = sorted(finding.code for finding in validate_text(text).diagnostics)
    assert codes == ["SOP206", "SOP402"]


def test_an_approval_s_package_saved_over_by_another_step_is_reported() -> None:
    """The card would show a Jira issue or an order (whatever that step saved) as a package
    "prepared by a model", its summary as the model's assessment."""
    text = (
        textwrap.dedent(REFUND)
        .replace("save_as: order\n", "save_as: package\n")
        .replace("{{ order.", "{{ package.")
    )
    (finding,) = validate_text(text).diagnostics
    assert finding.code == "SOP284"
    assert finding.message == (
        "'package' is also saved by step 'look_up': the approval 'approve' would show "
        "what that saves as the prepared package"
    )
