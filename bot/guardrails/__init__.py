"""Limits that live in code: checked at the connector boundary on every call, in every mode,
whatever text a template or an LLM produced."""
