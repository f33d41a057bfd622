"""Slack and webhook listeners: verify, dedupe, parse, ack fast, then hand work to the engine.

The listeners arrive with the Slack surface (the next milestone). They will reuse the
shared command language in ``bot.commands`` and the engine's front door
``bot.engine.engine.Engine``; the console in ``bot.console`` already exercises both.
"""
