"""Owners change a procedure's mode without editing its file (``/sop mode NAME MODE``).

The new mode is stored and audited (``sop.mode``) in one transaction; runs started from
then on take it, runs in flight keep theirs (each run stores the mode it started in). Only
the procedure's owners may change it (``bot.engine.policy.set_mode_refusal``); a refusal is
audited like every other refusal of the policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.engine import policy
from bot.engine.decisions import DecisionResult
from bot.engine.modes import checked_mode, current_mode
from bot.engine.refusals import refuse
from bot.engine.runtime import Runtime
from bot.procedure.model import Procedure
from storage import audit, sop_modes

MODE_SET = "sop.mode"
"""The audit action of a mode change (and of a refused one)."""


@dataclass
class ModeChanges:
    runtime: Runtime

    def set(self, name: str, mode: str, user_id: str, reason: str | None) -> DecisionResult:
        """Make ``mode`` the mode of new runs of the procedure ``name`` (id or command
        word), for ``user_id``, who must own it. Setting the mode it has changes nothing."""
        procedure = self.runtime.library.find(name).procedure
        checked_mode(mode)
        now = self.runtime.clock.now()
        self._check_owner(user_id, procedure, mode, now)
        with self.runtime.database.session() as session:
            was = current_mode(session, procedure).mode
            if was == mode:
                return DecisionResult(
                    f"{procedure.id} already runs in {mode} mode; nothing changed.", final=True
                )
            sop_modes.put(
                session, sop_id=procedure.id, mode=mode, set_by=user_id, at=now, reason=reason
            )
            audit.append(
                session,
                at=now,
                actor=user_id,
                action=MODE_SET,
                outcome="changed",
                detail={"sop": procedure.id, "mode": mode, "was": was},
                reason=reason,
            )
        return DecisionResult(
            f"{procedure.title} now runs in {mode} mode (it was {was}): runs started from now "
            "on use it; runs already under way keep the mode they started in.",
            final=True,
        )

    def _check_owner(self, user_id: str, procedure: Procedure, mode: str, now: dt.datetime) -> None:
        """Only its owners change a procedure's mode; a refusal is audited."""
        why = policy.set_mode_refusal(self.runtime.directory, user_id, procedure)
        if why is not None:
            refuse(
                self.runtime.database,
                at=now,
                actor=user_id,
                action=MODE_SET,
                why=why,
                detail={"sop": procedure.id, "mode": mode},
            )
