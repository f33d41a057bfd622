"""The reads a prepare step's model may ask for, and the runner that decides each request.

Only the step's declared reads are offered as tools. A call the model makes goes through the
same guarded boundary as an action step's (the operation's argument model, the guardrails,
the journal and the audit); a request the boundary stops is answered as refused and audited
as ``agent.refused`` (as is every request sopbot refuses before the boundary), and the run
goes on. Results reach the model with secrets masked.

A model may ask hundreds of times in one turn: the first ``MOST_REFUSALS_RECORDED`` distinct
refused requests get a row each, and one summary row counts the rest by tool, so the run's
timeline stays readable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.audit.masking import mask
from bot.catalogue.operation import Operation
from bot.engine.calls import CallResult
from bot.engine.steps.agent_model import audit_later
from bot.engine.steps.agent_package import Read
from bot.engine.steps.choice_card import shown_call
from bot.engine.steps.env import StepEnv
from bot.engine.work import RunWork
from bot.identity import inert
from bot.llm.tools import Refused, Tool, ToolCall, ToolUse

REFUSED = "agent.refused"
MOST_REFUSALS_RECORDED = 10
"""Distinct refused requests recorded one row each; the rest are counted in one summary."""
MOST_KINDS = 5
"""Tools the summary names; the others are counted together."""
LONGEST_NAME = 80
"""Of a tool name the record keeps (a model invents names of any length)."""
LONGEST_REASON = 300
"""Of a refusal's reason the record keeps (it quotes the name)."""
LONGEST_ARGUMENTS = 600
"""Of a refused request's arguments (as JSON) the record keeps: the model writes them."""
LONGEST_READ = 300
"""Of a read as a card shows it (``R1 crm.get_order(order_id='1042')``): the model wrote
its arguments, so they are bounded and inert like the rest of what it says."""


def tool_name(operation: Operation) -> str:
    """``crm_get_order``: function names may not hold dots."""
    return operation.name.replace(".", "_")


@dataclass
class ReadRunner:
    """Runs the model's permitted reads for one prepare step and keeps what it read."""

    env: StepEnv
    work: RunWork
    step_id: str
    operations: dict[str, Operation]
    timeout: dt.timedelta
    reads: list[Read] = field(default_factory=list)
    _recorded: set[str] = field(default_factory=set)
    _unrecorded: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(
        cls, env: StepEnv, work: RunWork, step_id: str, reads: list[str], timeout: dt.timedelta
    ) -> ReadRunner:
        """A runner for ``reads``: those the catalogue has and that do not write (the
        validator reports the others; here they are simply never offered)."""
        found = (env.runtime.catalogue.get(name) for name in reads)
        operations = {
            tool_name(operation): operation
            for operation in found
            if operation is not None and not operation.writes
        }
        return cls(env, work, step_id, operations, timeout)

    def tools(self) -> list[Tool]:
        """The tools the model is offered: one per permitted read."""
        return [
            Tool(name, operation.summary, operation.args)
            for name, operation in self.operations.items()
        ]

    def __call__(self, call: ToolCall) -> Any:
        operation = self.operations[call.tool.name]
        arguments = call.arguments.model_dump(mode="json", by_alias=True)
        result = self.env.caller.call(
            self.work,
            step_id=self.step_id,
            operation=operation,
            arguments=arguments,
            timeout=self.timeout,
        )
        if result.status == "blocked":
            return Refused(f"refused: {result.error}")  # audited by ``refused``
        if not result.went_through:
            return {"error": _failure(result)}
        ref = f"R{len(self.reads) + 1}"
        shown = self.env.caller.shown(operation, arguments)
        called = shown_call({"operation": operation.name, "arguments": shown})
        self.reads.append(Read(ref, inert(f"{ref} {called}", LONGEST_READ)))
        assert result.result is not None
        return {"read": ref, "result": self.env.caller.shown(operation, result.result)}

    def refused(self, use: ToolUse) -> None:
        """Put a refused request on the record (with the run's next commit): the model's
        conversation reports each one as it happens, whether sopbot refused it (an unknown
        tool, bad arguments, the call limit) or the boundary did. A repeat, or one past the
        first ``MOST_REFUSALS_RECORDED``, is only counted (see ``summarize``)."""
        reason = use.refused or "refused"
        seen = json.dumps([use.name, reason, use.arguments], sort_keys=True, default=str)
        key = hashlib.sha256(seen.encode()).hexdigest()
        name = self._cut(use.name, LONGEST_NAME)
        if key in self._recorded or len(self._recorded) >= MOST_REFUSALS_RECORDED:
            self._unrecorded[name] += 1
            return
        self._recorded.add(key)
        arguments = self._kept(use.arguments)
        self._append({"tool": name, "arguments": arguments}, self._cut(reason, LONGEST_REASON))

    def summarize(self) -> None:
        """One row for the refused requests not recorded one by one: how many, and of
        which tools (the most frequent ``MOST_KINDS``, the others together)."""
        more = sum(self._unrecorded.values())
        if not more:
            return
        tools = dict(self._unrecorded.most_common(MOST_KINDS))
        if others := more - sum(tools.values()):
            tools["(other tools)"] = others
        kinds = ", ".join(f"{name} x{count}" for name, count in tools.items())
        self._append(
            {"more": more, "tools": tools},
            f"{more} more refused requests (repeats, or past the first "
            f"{MOST_REFUSALS_RECORDED} distinct ones): {kinds}",
        )
        self._unrecorded.clear()

    def _kept(self, arguments: dict[str, Any] | None) -> dict[str, Any] | str | None:
        """A refused request's arguments as its record keeps them: as they are when short,
        else the start of their JSON (the model may send megabytes)."""
        text = json.dumps(arguments, default=str)
        if len(text) <= LONGEST_ARGUMENTS:
            return arguments
        return self._cut(text, LONGEST_ARGUMENTS) + "…"

    def _cut(self, text: str, longest: int) -> str:
        """``text`` masked, then shortened: cut first, a secret split at the edge would no
        longer match its mask."""
        return str(mask(text, self.env.runtime.secrets.values_to_mask()))[:longest]

    def _append(self, detail: dict[str, Any], reason: str) -> None:
        """An ``agent.refused`` row with the run's next commit (secrets masked)."""
        masks = self.env.runtime.secrets.values_to_mask()
        masked, shown = mask(detail, masks), str(mask(reason, masks))
        audit_later(self.work, self.step_id, REFUSED, "refused", masked, shown)


def _failure(result: CallResult) -> str:
    return result.error or f"the read ended {result.status}"
