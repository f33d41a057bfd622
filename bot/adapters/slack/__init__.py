"""Slack's side of the chat port and the directory: Block Kit cards and modals, delivery
through the Web API exactly once, people and groups through ``users.info`` and
``usergroups.users.list``."""
