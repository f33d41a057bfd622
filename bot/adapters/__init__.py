"""Adapters: the chat surfaces' side of the core's ports. Only code here talks to a chat
service's SDK, so the engine stays the same whichever surface people use."""
