"""What the engine remembers about a run between two advances, as one typed object.

It is saved in ``runs.state`` beside the run's values (``{"values": …, "meta": …}``) in the
same compare-and-set as everything else, so every part of the engine reads and changes it
through these fields instead of string keys.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=False)


class TrailEntry(_Part):
    """A step the run went through, for the handoff and ``/sop status``."""

    step: str
    outcome: str


class ApprovedCall(_Part):
    """A call an approval covers: the step may make exactly this call (same hash), once."""

    call_hash: str
    approval: str
    by: str | None = None


class Awaiting(_Part):
    """The approval or task the run is waiting for."""

    id: str
    step: str
    kind: str


class PendingOutcome(_Part):
    """An SOP rule (on timeout, on rejection) the next advance applies, with why."""

    outcome: dict[str, Any]
    reason: str


class WaitProgress(_Part):
    """Where a wait step stands: since when, the next check, the last follow-up sent."""

    since: str
    next: str | None = None
    woke: str | None = None
    """When the current wake began: a catch-up replayed after a crash uses the same time."""
    sent_through: str | None = None


class RunState(_Part):
    """Everything but the run's saved values."""

    trail: list[TrailEntry] = Field(default_factory=list)
    approved: dict[str, ApprovedCall] = Field(default_factory=dict)
    resume_keys: dict[str, str] = Field(default_factory=dict)
    """Step → the idempotency key of its call that a crash cut off: repeated with it."""
    visits: dict[str, int] = Field(default_factory=dict)
    """Step → how often its call went through (a fresh idempotency key per visit)."""
    calls: dict[str, int] = Field(default_factory=dict)
    """Step → how many calls it journalled: the next call's number."""
    verdicts: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Judge or draft step → what its model said on the current visit, committed before the
    run acts on it: a replay reuses it instead of asking again."""
    waits: dict[str, WaitProgress] = Field(default_factory=dict, alias="wait")
    awaiting: Awaiting | None = None
    apply_outcome: PendingOutcome | None = None
    last_error: str | None = None
    result: dict[str, Any] = Field(default_factory=dict)
    """The run's result values, as its end or escalate step set them."""
    commit: str | None = None
    """The mark of the last commit, to tell one that landed before its connection went."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @classmethod
    def of(cls, stored: dict[str, Any] | None) -> RunState:
        """The state as ``runs.state["meta"]`` holds it (empty for a new run)."""
        return cls.model_validate(stored or {})

    def to_json(self) -> dict[str, Any]:
        """What ``runs.state["meta"]`` stores: only what is set."""
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)

    def passed(self, step_id: str, outcome: str = "done") -> None:
        """Note the step in the trail (once in a row)."""
        if not self.trail or self.trail[-1].step != step_id or outcome != "done":
            self.trail.append(TrailEntry(step=step_id, outcome=outcome))


def read_stored(stored: dict[str, Any] | None) -> tuple[dict[str, Any], RunState]:
    """The saved values and the engine's state, as ``runs.state`` holds them."""
    stored = stored or {}
    return dict(stored.get("values", {})), RunState.of(stored.get("meta"))


def to_stored(values: dict[str, Any], state: RunState) -> dict[str, Any]:
    """What ``runs.state`` stores (``values`` already JSON)."""
    return {"values": values, "meta": state.to_json()}
