"""What the rules ask about an operation, computed once per operation: pydantic's field
lookups are too slow to repeat for every call in a thousand procedures."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.catalogue.operation import Operation


@dataclass(frozen=True)
class OperationFacts:
    """The argument names (as written in SOPs), the required ones, and the result fields."""

    arguments: tuple[str, ...]
    required: tuple[str, ...]
    result_fields: frozenset[str]


@lru_cache(maxsize=4096)
def facts(operation: Operation) -> OperationFacts:
    """The facts of one operation (cached)."""
    return OperationFacts(
        operation.argument_names,
        operation.required_arguments,
        frozenset(info.alias or name for name, info in operation.result.model_fields.items()),
    )
