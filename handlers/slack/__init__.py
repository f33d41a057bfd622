"""sopbot in Slack: one Bolt app (``app.build_app``) whose listeners verify, parse, record
the request durably and acknowledge it; the worker does the work through the front door."""
