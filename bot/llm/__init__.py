"""Model access for the agent layer: one OpenAI-compatible client (OpenAI, Azure, or a local
server), a model per feature, structured answers parsed into pydantic models, a bounded
tool-calling loop, and every call's use recorded in the audit log.

Optional by design: with no model configured, ``Models.model_for`` gives ``None`` and every
caller takes its deterministic path.
"""
