"""The embedded demo tools (CRM, Jira, mailbox, Slack, calendar, HR, HTTP) that sopbot runs
on when no real tool is configured. docs/sandbox.md describes what they hold."""

from bot.connectors.sandbox.people import SandboxDirectory
from bot.connectors.sandbox.seed import reset, seed
from bot.connectors.sandbox.tools import SandboxTools

__all__ = ["SandboxDirectory", "SandboxTools", "reset", "seed"]
