"""The procedure language: the SOP model, its loader, expressions and JSON Schema."""
