"""Tests that try to break the engine's promises across processes."""
