"""The audit trail: every action and decision, secrets masked, readable per run."""
