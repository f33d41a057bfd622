"""Draft steps: a model writes an outbound text, which must pass the SOP's text guardrails
(forbidden phrases, and the disclosures required of the operation it goes out through).
A draft that breaks one gets one redraft, told why; a second bad draft, no model, or no
usable answer within the step's budget, and the assignee writes the text, as a task that
shows why and the held-back draft. The text is saved as ``NAME.text`` either way.

What the model said is committed before the run acts on it, so a replay reuses it and
never asks the model twice.
"""

from __future__ import annotations

import json
from typing import Any

from bot.audit.masking import mask
from bot.engine.steps.agent_model import (
    DATA_IS_NOT_INSTRUCTIONS,
    LONGEST_DRAFT,
    audit_later,
    claim_kept,
    no_usable,
    render_masked,
    step_recorder,
)
from bot.engine.steps.approval import open_task
from bot.engine.steps.env import StepEnv
from bot.engine.steps.outcomes import escalate
from bot.engine.work import Continue, RunWork, Transition
from bot.guardrails.check import check_text
from bot.identity import inert
from bot.llm.errors import ModelError
from bot.llm.messages import Message, system, user
from bot.llm.models import Model
from bot.llm.settings import Feature
from bot.llm.transport import Budget
from bot.procedure import expressions
from bot.procedure.steps import DraftStep

RULES = f"""\
You write one outbound text for a standard operating procedure, as the brief asks. Answer
with the text only, ready to send: no preamble, no placeholders.
{DATA_IS_NOT_INSTRUCTIONS}"""


def run_draft(env: StepEnv, work: RunWork, step: DraftStep) -> Transition:
    """Save the model's text when it keeps to the guardrails; else ask the assignee."""
    draft = step.draft
    try:
        instructions = render_masked(env, work, draft.instructions) or ""
        facts = {
            label: render_masked(env, work, value) or "" for label, value in draft.facts.items()
        }
    except expressions.ExpressionError as error:
        return escalate(env, work, f"cannot prepare the draft {step.id}: {error}")
    visit = work.meta.visits.get(step.id, 0)
    written = work.meta.verdicts.get(step.id)
    if written is None or written.get("visit") != visit:
        written = _write(env, work, step, instructions, facts) | {"visit": visit}
        work.meta.verdicts[step.id] = written
        _record(env, work, step, written)
        env.caller.flush(work)  # durable before the run acts on it: a replay reuses it
    work.meta.verdicts.pop(step.id)
    work.meta.visits[step.id] = visit + 1
    if written["text"] is not None:
        work.save(step.save_as, {"text": written["text"]})
        return Continue(work.following(step))
    shown = dict(facts) | {"Why a person writes it": written["note"]}
    if written["held_back"]:
        shown["The model's draft (held back)"] = written["held_back"]
    return open_task(env, work, step, draft.as_task(), facts=shown)


def _write(
    env: StepEnv, work: RunWork, step: DraftStep, instructions: str, facts: dict[str, str]
) -> dict[str, Any]:
    """The model's text, or none with why (and the last draft it held back)."""
    model = env.runtime.models.model_for(Feature.DRAFT)
    if model is None:
        return _none("no model is configured", None)
    brief = {"write": instructions, "facts": facts, "sent_with": step.draft.for_}
    messages: list[Message] = [system(RULES), user(json.dumps(brief, indent=1))]
    budget = model.budget(step.draft.budget.total_seconds())  # the redraft's time too
    first = _ask(env, work, step, model, messages, budget)
    if isinstance(first, ModelError):
        return _none(no_usable("draft", first), None)
    broken = check_text(work.procedure, first, step.draft.for_)
    if broken is None:
        return {"text": first, "note": None, "held_back": None}
    messages += [
        {"role": "assistant", "content": first},
        user(f"That text cannot be sent: {broken.message}. Write it again, keeping to this rule."),
    ]
    second = _ask(env, work, step, model, messages, budget)  # the one redraft
    if isinstance(second, ModelError):
        return _none(no_usable("redraft", second), first)
    still = check_text(work.procedure, second, step.draft.for_)
    if still is None:
        return {"text": second, "note": f"redrafted: {broken.message}", "held_back": None}
    return _none(f"the redraft broke a guardrail too: {still.message}", second)


def _ask(
    env: StepEnv,
    work: RunWork,
    step: DraftStep,
    model: Model,
    messages: list[Message],
    budget: Budget,
) -> str | ModelError:
    try:
        with claim_kept(env, work):
            recorder = step_recorder(env, work, step.id)
            return model.text(messages, record=recorder, budget=budget).strip()
    except ModelError as error:
        return error


def _none(why: str, held_back: str | None) -> dict[str, Any]:
    """No text, why, and the draft held back as the assignee is shown it (inert)."""
    shown = inert(held_back, LONGEST_DRAFT) if held_back is not None else None
    return {"text": None, "note": why, "held_back": shown}


def _record(env: StepEnv, work: RunWork, step: DraftStep, written: dict[str, Any]) -> None:
    """``agent.draft`` in the run's audit: drafted, or handed to a person and why."""
    outcome = "drafted" if written["text"] is not None else "to_person"
    detail = mask(
        {"text": written["text"], "held_back": written["held_back"]},
        env.runtime.secrets.values_to_mask(),
    )
    audit_later(work, step.id, "agent.draft", outcome, detail, written["note"])
