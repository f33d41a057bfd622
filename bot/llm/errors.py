"""What can go wrong with a model call, as three errors a caller can tell apart; all are
``ModelError``, so a caller that only needs "no usable answer" catches one class and takes
its offline path."""

from __future__ import annotations


class ModelError(Exception):
    """The model gave no usable answer (here: one that did not validate, even after a
    repair try)."""


class ModelRefused(ModelError):
    """The model declined to answer; ``reason`` is its own explanation."""

    def __init__(self, feature: str, reason: str) -> None:
        super().__init__(f"the model declined to answer ({feature})")
        self.reason = reason


class ModelUnavailable(ModelError):
    """The model service could not be reached or kept failing (timeouts, 429, 5xx), or it
    refused the request itself (a bad key, an unknown model)."""
