"""The front door: the one API every surface (console, Slack, webhooks) calls.

Start, decide, complete, answer, cancel, list and show; who may do what lives in
``policy``, and only typed read models (``views``) come out, never ORM rows.
"""
