"""The package a prepare step saves: what its model answered (checked against the SOP), or,
without a usable model, the SOP's declared facts and no recommendation.

A model's answer is data for people, never an instruction to the engine: its recommendation
can only be one of the declared options (the answer's schema enumerates them), each
finding keeps only the evidence that exists (a read the model made, or a declared fact), and
a draft that breaks the SOP's text guardrails is withheld rather than shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from bot.engine.steps.agent_model import LONGEST_DRAFT, LONGEST_TEXT, Confidence, options_type
from bot.guardrails.check import check_text
from bot.identity import inert
from bot.procedure.model import Procedure

MODEL = "model"
FACTS = "facts"
MOST_FINDINGS = 20
"""The findings a card lists; a model that answers with more has the rest left out."""


class Finding(BaseModel):
    """One thing the model found, and what it rests on."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="what was found, in one sentence")
    evidence: list[str] = Field(
        description="what it rests on: ids of your reads (R1, R2, ...) or labels of the facts"
    )


class PackageAnswer(BaseModel):
    """What the model answers with, less the recommendation (its options vary per step)."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(description="one or two sentences for the person who decides")
    findings: list[Finding] = Field(description="what you found, each with its evidence")
    confidence: Confidence = Field(description="how sure you are of the recommendation")
    draft: str | None = Field(description="the drafted text if one was asked for, else null")


@lru_cache(maxsize=256)
def answer_shape(options: tuple[str, ...]) -> type[PackageAnswer]:
    """The answer's model for one step: its recommendation is one of ``options``."""
    shape: type[PackageAnswer] = create_model(
        "PreparedPackage",
        __base__=PackageAnswer,
        recommendation=(options_type(options), Field(description="the option you recommend")),
    )
    return shape


@dataclass(frozen=True)
class Read:
    """A read the model made, as findings cite it (``R1``) and people see it."""

    ref: str
    shown: str


def from_model(
    answer: PackageAnswer, reads: list[Read], facts: dict[str, str], procedure: Procedure
) -> dict[str, Any]:
    """The package from a model's answer: its texts inert and bounded, evidence that points
    nowhere is dropped, and a draft that breaks the SOP's text guardrails is withheld (the
    note says why)."""
    known = {read.ref: read.shown for read in reads} | {
        label: f"fact {label}: {value}" for label, value in facts.items()
    }
    findings = [
        {
            "text": inert(finding.text, LONGEST_TEXT),
            "evidence": list(
                dict.fromkeys(
                    known[cited.strip()] for cited in finding.evidence if cited.strip() in known
                )
            ),
        }
        for finding in answer.findings[:MOST_FINDINGS]
    ]
    draft, note = (inert(answer.draft, LONGEST_DRAFT) if answer.draft else None), None
    broken = check_text(procedure, draft, None) if draft else None
    if broken is not None:
        draft, note = None, f"the draft was withheld: {broken.message}"
    recommendation = answer.model_dump(mode="json")["recommendation"]
    package = _package(
        inert(answer.summary, LONGEST_TEXT),
        findings,
        recommendation,
        answer.confidence,
        draft,
        MODEL,
    )
    package["reads"] = [read.shown for read in reads]
    if note:
        package["note"] = note
    return package


def from_facts(summary: str, facts: dict[str, str], why: str) -> dict[str, Any]:
    """The package without a model: the declared facts, no recommendation, and why."""
    findings = [
        {"text": f"{label}: {value}", "evidence": [f"fact {label}: {value}"]}
        for label, value in facts.items()
    ]
    package = _package(summary, findings, None, None, None, FACTS)
    package["reads"] = []
    package["note"] = why
    return package


def _package(
    summary: str,
    findings: list[dict[str, Any]],
    recommendation: str | None,
    confidence: float | None,
    draft: str | None,
    source: str,
) -> dict[str, Any]:
    return {
        "summary": summary,
        "findings": findings,
        "recommendation": recommendation,
        "confidence": confidence,
        "draft": draft,
        "source": source,
    }
