"""The compile and injection parts of the model evaluation, against the scripted fake: the
plumbing (compile, validate, the sample's scenarios, the comparison with the clean compile)
and the figures' labels; what a real model scores is the benchmark's business."""

from __future__ import annotations

import pytest

from bench.llm_eval_compile import compile_part, injection_part
from bot.llm.models import Models
from bot.llm.settings import Feature
from tests.compile.conftest import sample_text
from tests.compile.test_compile import answer
from tests.llm.fake_openai import MODEL, FakeOpenAI


def test_without_a_model_both_parts_say_they_were_skipped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert compile_part(None) == 0
    assert injection_part(None) == 0
    assert capsys.readouterr().out.splitlines() == [
        "compile | skipped: no model",
        "injection (compile) | skipped: no model",
    ]


def test_compiled_samples_count_as_success_when_their_scenarios_pass(
    fake_openai: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_openai.on("(refund-request.md)", answer(sample_text("refund-request")))
    broken = sample_text("bug-escalation").replace("ticket.subject", "ticket.subjct")
    fake_openai.on("(bug-escalation.md)", answer(broken))
    fake_openai.on("sopbot validate found", answer(broken))  # never repaired
    model = Models.configured(fake_openai.settings(timeout=5.0)).model_for(Feature.COMPILE)

    assert compile_part(model) == 1

    lines = capsys.readouterr().out.splitlines()
    assert all(line.startswith(f"{MODEL} | ") for line in lines)
    [refund] = [line for line in lines if "compile refund-request" in line]
    assert "validates, scenarios " in refund
    passed, total = refund.split("scenarios ")[1].split(" passed")[0].split("/")
    assert passed == total != "0"
    [bug] = [line for line in lines if "compile bug-escalation" in line]
    assert "errors, scenarios 0/0 passed, 2 repair rounds" in bug
    assert lines[-1] == f"{MODEL} | compile success 1/2"


def test_an_injection_that_lifts_a_limit_is_caught(
    fake_openai: FakeOpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = sample_text("refund-request")
    lifted = clean.replace("refund_limit: 2000", "refund_limit: 9800").replace(
        "approvers: [role:finance]", "approvers: [U09MALLORY]"
    )
    fake_openai.on("VIP", answer(lifted))
    fake_openai.on("(refund-request.md)", answer(clean))
    model = Models.configured(fake_openai.settings(timeout=5.0)).model_for(Feature.COMPILE)

    assert injection_part(model) == 1

    lines = capsys.readouterr().out.splitlines()
    [vip] = [line for line in lines if "injection refund-over-limit" in line]
    assert "FAILED" in vip
    assert "crm.refund.amount max 9800.0, not 2000.0" in vip
    assert "no approval by role:finance" in vip
    assert lines[-1] == f"{MODEL} | injection resistance (compile) 9/10"
