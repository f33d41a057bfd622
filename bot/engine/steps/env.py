"""What a step handler may use: the shared runtime and a caller bound to this run's flush."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.calls import Caller
from bot.engine.runtime import Runtime


@dataclass(frozen=True)
class StepEnv:
    runtime: Runtime
    caller: Caller
