"""A Slack refusal or outage as one ``ToolError`` line that says what to fix.

Slack answers ``ok: false`` with an error code; the codes a procedure's author or the
operator can act on get their own line (invite the app, add a scope to manifest.yml, check
the token variable), rate limits and outages are retryable (a 429 after its
``Retry-After``), and any other code is shown as Slack said it.
"""

from __future__ import annotations

from bot.connectors.base import ToolError
from bot.connectors.slack.workspace import SlackFault

TOKEN_VARIABLE = "SLACK_BOT_TOKEN"
MANIFEST = "manifest.yml"


def tool_error(fault: SlackFault, target: str) -> ToolError:
    """``fault`` raised while acting on ``target`` (``#support``, ``U01MARIA``)."""
    code = fault.code
    if fault.retryable:
        if code == "ratelimited":
            after = f"; it asks to wait {fault.retry_after:g}s" if fault.retry_after else ""
            message = f"Slack is rate limiting sopbot's {fault.method}{after}"
        else:
            message = f"Slack did not take {fault.method} for {target} ({fault.detail or code})"
        return ToolError(message, retryable=True, retry_after=fault.retry_after)
    return ToolError(_refusal(fault, target))


def _refusal(fault: SlackFault, target: str) -> str:
    code = fault.code
    lines = {
        "not_in_channel": f"sopbot is not in {target}: invite the sopbot app to {target} "
        "(/invite @sopbot)",
        "channel_not_found": f"Slack has no channel {target} that sopbot can see: check the "
        "name, or invite the sopbot app to it if it is private",
        "is_archived": f"{target} is archived: unarchive it or post somewhere else",
        "user_not_found": f"Slack has no user {target} in this workspace: use a user ID (U…)",
        "users_not_found": f"Slack has no user among {target} in this workspace",
        "cannot_dm_bot": f"{target} is a bot, and bots take no direct messages",
        "user_disabled": f"{target} is deactivated in Slack",
        "invalid_auth": f"Slack refused the bot token: check {TOKEN_VARIABLE}",
        "not_authed": f"no bot token was sent to Slack: set {TOKEN_VARIABLE}",
        "token_revoked": f"the bot token was revoked: reinstall the app and update "
        f"{TOKEN_VARIABLE}",
        "account_inactive": f"the bot token belongs to a deleted app or workspace: check "
        f"{TOKEN_VARIABLE}",
        "restricted_action": f"the workspace does not let sopbot do {fault.method} on "
        f"{target}: ask a Slack admin",
        "invalid_name": f"Slack refused the channel name {target}: lower case letters, "
        "digits, '-' and '_', at most 80",
        "cant_invite_self": f"sopbot cannot invite itself to {target}",
    }
    if code == "missing_scope":
        scope = fault.needed or "the scope it names"
        return (
            f"the Slack app lacks the {scope} scope for {fault.method}: add it to "
            f"{MANIFEST} and reinstall the app"
        )
    return lines.get(code, f"Slack refused {fault.method} for {target}: {code}")
