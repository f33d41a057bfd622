"""Slack's mention syntax for users, user groups and channels."""

from __future__ import annotations


def mention(target: str) -> str:
    """``U…`` → ``<@U…>``, ``S…`` → ``<!subteam^S…>``, ``C…`` → ``<#C…>``, else as is."""
    if target[:1] in ("U", "W"):
        return f"<@{target}>"
    if target[:1] == "S":
        return f"<!subteam^{target}>"
    if target[:1] in ("C", "G"):
        return f"<#{target}>"
    return target


def mentions(targets: list[str]) -> str:
    """Several mentions, comma separated."""
    return ", ".join(mention(target) for target in targets)
