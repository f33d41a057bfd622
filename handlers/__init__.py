"""Slack and webhook listeners: verify, dedupe, parse, ack fast, then hand work to the engine.

The listeners arrive with the Slack surface (the next milestone). They will reuse the
shared command language in ``bot.app.commands`` and the front door
``bot.app.door.FrontDoor``; the console in ``bot.console`` already exercises both.
"""
