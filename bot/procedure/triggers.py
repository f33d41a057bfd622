"""How a procedure starts: a slash command, an inbound event, a schedule, or intent phrases."""

from __future__ import annotations

from pydantic import Field, model_validator

from bot.procedure.types import Condition, SopModel


class EventTrigger(SopModel):
    """An inbound event (Jira, the CRM, a signed generic webhook) with an optional filter."""

    source: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$", description="jira, crm, helpdesk, webhook, ..."
    )
    type: str = Field(description="the event type, such as issue_created or deal.stage_changed")
    filter: Condition | None = Field(
        default=None,
        description="start only when this holds, e.g. \"'product-bug' in event.labels\"",
    )


class Schedule(SopModel):
    """A cron schedule in a named time zone."""

    cron: str = Field(
        description="five cron fields: minute hour day month weekday", examples=["0 9 * * MON"]
    )
    timezone: str = Field(default="UTC", description="an IANA time zone such as Europe/Berlin")


class Trigger(SopModel):
    """Any combination of the ways to start; at least one."""

    command: str | None = Field(
        default=None, pattern=r"^[a-z][a-z0-9-]*$", description="the word after /sop run"
    )
    events: list[EventTrigger] = Field(default_factory=list)
    schedule: Schedule | None = None
    intents: list[str] = Field(
        default_factory=list, description="phrases that route free text to this procedure"
    )

    @model_validator(mode="after")
    def _at_least_one(self) -> Trigger:
        if not (self.command or self.events or self.schedule or self.intents):
            raise ValueError("a trigger needs at least one of command, events, schedule or intents")
        return self
