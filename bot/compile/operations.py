"""The catalogue as the model reads it: one line per operation, with its arguments (``?``
for optional ones), what it gives back, and whether it reads or writes."""

from __future__ import annotations

import types
import typing
from typing import Any

from bot.catalogue.operation import Operation
from bot.catalogue.registry import Catalogue
from bot.validation.operations import facts


def describe_catalogue(catalogue: Catalogue) -> str:
    """Every operation, one line each, grouped by connector in registration order."""
    return "\n".join(describe(operation) for operation in catalogue)


def describe(operation: Operation) -> str:
    """``crm.refund (write, takes idempotency_key): Refund an order. args: order_id: str, …
    → amount, order_id, refund_id, status``."""
    kind = "write" if operation.writes else "read"
    if operation.writes and operation.accepts_idempotency_key:
        kind += ", takes idempotency_key"
    known = facts(operation)
    fields = {info.alias or name: info for name, info in operation.args.model_fields.items()}
    arguments = ", ".join(
        f"{name}{'' if name in known.required else '?'}: {_type_name(fields[name].annotation)}"
        for name in known.arguments
    )
    gives = ", ".join(sorted(known.result_fields)) or "nothing"
    return f"- {operation.name} ({kind}): {operation.summary}. args: {arguments} -> {gives}"


def _type_name(annotation: Any) -> str:
    """A short type: ``str``, ``float``, ``list[str]``, ``str | None``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _type_name(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(part) for part in typing.get_args(annotation))
    if origin is typing.Literal:
        return " | ".join(repr(value) for value in typing.get_args(annotation))
    if origin is not None:
        inner = ", ".join(_type_name(part) for part in typing.get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", str(annotation).replace("typing.", ""))
