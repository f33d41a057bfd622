"""The local console: sopbot without Slack, on the sandbox tools, for trying and teaching."""
