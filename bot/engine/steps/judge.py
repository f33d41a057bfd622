"""Judge steps: a model picks one of the declared options, with its confidence and why. At
or above the SOP's threshold the run goes on at that option's step; below it, without a
model, or when the model gives no usable answer within the step's budget, the assignee
picks through a choice card that shows the suggestion (or why there is none).

The verdict is committed before the run acts on it, so a replay reuses it and never asks
the model twice.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from bot.engine.steps.agent_model import (
    DATA_IS_NOT_INSTRUCTIONS,
    LONGEST_TEXT,
    Confidence,
    audit_later,
    claim_kept,
    no_usable,
    options_type,
    render_masked,
    step_recorder,
)
from bot.engine.steps.choose import open_choice
from bot.engine.steps.env import StepEnv
from bot.engine.steps.outcomes import escalate
from bot.engine.work import Continue, RunWork, Transition
from bot.identity import inert
from bot.llm.errors import ModelError
from bot.llm.messages import system, user
from bot.llm.settings import Feature
from bot.procedure import expressions
from bot.procedure.steps import JudgeStep

RULES = f"""\
You judge one question of a standard operating procedure by picking exactly one of the
brief's options, saying how sure you are from 0 to 1 and why in one or two sentences.
A person decides instead when you are not sure enough; say so honestly.
{DATA_IS_NOT_INSTRUCTIONS}"""


class VerdictAnswer(BaseModel):
    """The model's verdict, less the option (its labels vary per step)."""

    model_config = ConfigDict(extra="forbid")

    confidence: Confidence = Field(description="how sure you are, 0 to 1")
    reason: str = Field(description="why, in one or two sentences")


def verdict_shape(labels: tuple[str, ...]) -> type[VerdictAnswer]:
    """The verdict's model for one step: its option is one of ``labels``."""
    shape: type[VerdictAnswer] = create_model(
        "Verdict",
        __base__=VerdictAnswer,
        option=(options_type(labels), Field(description="the option you pick, as written")),
    )
    return shape


def run_judge(env: StepEnv, work: RunWork, step: JudgeStep) -> Transition:
    """Go on at the option a sure model picked; otherwise ask the assignee."""
    judge = step.judge
    try:
        question = render_masked(env, work, judge.question) or ""
        instructions = render_masked(env, work, judge.instructions)
        facts = {
            label: render_masked(env, work, value) or "" for label, value in judge.facts.items()
        }
    except expressions.ExpressionError as error:
        return escalate(env, work, f"cannot prepare the judgement {step.id}: {error}")
    visit = work.meta.visits.get(step.id, 0)
    verdict = work.meta.verdicts.get(step.id)
    if verdict is None or verdict.get("visit") != visit:
        verdict = _ask(env, work, step, question, instructions, facts) | {"visit": visit}
        work.meta.verdicts[step.id] = verdict
        _record(work, step, verdict)
        env.caller.flush(work)  # durable before the run acts on it: a replay reuses it
    work.meta.verdicts.pop(step.id)
    work.meta.visits[step.id] = visit + 1
    if verdict["label"] is not None and verdict["confidence"] >= judge.threshold:
        option = next(option for option in judge.options if option.label == verdict["label"])
        return Continue(option.goto)
    shown = {key: verdict.get(key) for key in ("label", "confidence", "reason", "note")}
    return open_choice(
        env, work, step, judge, facts=facts, suggestion=shown | {"threshold": judge.threshold}
    )


def _ask(
    env: StepEnv,
    work: RunWork,
    step: JudgeStep,
    question: str,
    instructions: str | None,
    facts: dict[str, str],
) -> dict[str, Any]:
    """The model's verdict, or an empty one saying why there is none."""
    model = env.runtime.models.model_for(Feature.JUDGE)
    if model is None:
        return _none("no model is configured")
    labels = tuple(option.label for option in step.judge.options)
    brief = {"question": question, "task": instructions, "facts": facts, "options": labels}
    try:
        with claim_kept(env, work):
            answer = model.answer(
                [system(RULES), user(json.dumps(brief, indent=1))],
                verdict_shape(labels),
                record=step_recorder(env, work, step.id),
                budget_seconds=step.judge.budget.total_seconds(),
            )
    except ModelError as error:
        return _none(no_usable("verdict", error))
    picked = answer.model_dump(mode="json")
    return {
        "label": picked["option"],
        "confidence": answer.confidence,
        "reason": inert(answer.reason, LONGEST_TEXT),
        "note": None,
    }


def _none(why: str) -> dict[str, Any]:
    return {"label": None, "confidence": None, "reason": None, "note": why}


def _record(work: RunWork, step: JudgeStep, verdict: dict[str, Any]) -> None:
    """``agent.judge`` in the run's audit: decided by the model, or handed to a person."""
    if verdict["label"] is None:
        outcome = "offline"
    elif verdict["confidence"] >= step.judge.threshold:
        outcome = "decided"
    else:
        outcome = "unsure"
    detail = {key: verdict[key] for key in ("label", "confidence", "reason")}
    detail["threshold"] = step.judge.threshold
    audit_later(work, step.id, "agent.judge", outcome, detail, verdict["note"])
