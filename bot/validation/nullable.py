"""SOP240: a missing optional input reaches a required argument that takes no null.

The engine leaves an optional argument out when its template renders to nothing, so the
tool's own default applies; a required argument cannot be left out, so it is sent as null
and a tool whose argument takes no null refuses the call at run time.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import TypeAdapter, ValidationError

from bot.catalogue.operation import Operation
from bot.procedure.model import Procedure
from bot.validation.context import SopContext
from bot.validation.sites import CallSite

_WHOLE_INPUT = re.compile(r"^\s*\{\{\s*inputs\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}\s*$")


def check_null_arguments(context: SopContext) -> None:
    """SOP240: warn where an optional input without a default fills a non-nullable required argument."""
    optional = _optional_inputs(context.procedure)
    if not optional:
        return
    for site in context.sites.calls:
        operation = context.catalogue.get(site.call.action)
        if operation is None:
            continue
        refused = _null_refusing_required(operation)
        for name, value in site.call.with_.items():
            if name not in refused:
                continue
            missing = _optional_input_in(value, optional)
            if missing is None or _guarded(context, site, missing):
                continue
            context.report(
                "SOP240",
                (*site.path, "with", name),
                f"inputs.{missing} is optional and may be missing, but {name} of "
                f"{operation.name} is required and takes no null: the call would be refused",
            )


def _optional_inputs(procedure: Procedure) -> frozenset[str]:
    return frozenset(
        name
        for name, spec in procedure.inputs.items()
        if not spec.required and spec.default is None
    )


def _optional_input_in(value: object, optional: frozenset[str]) -> str | None:
    """The optional input an argument is exactly (``{{ inputs.x }}``), if any: a filter
    such as ``default`` or any text around it means the value is never null."""
    if not isinstance(value, str):
        return None
    match = _WHOLE_INPUT.match(value)
    return match.group(1) if match and match.group(1) in optional else None


def _guarded(context: SopContext, site: CallSite, name: str) -> bool:
    """A step whose ``when`` reads the input runs only as its author checked it."""
    if site.step is None:
        return False
    when = context.procedure.steps[site.step].when
    return when is not None and f"inputs.{name}" in when


@lru_cache(maxsize=4096)
def _null_refusing_required(operation: Operation) -> frozenset[str]:
    """The required arguments whose type refuses None (computed once per operation)."""
    refused: set[str] = set()
    for field_name, info in operation.args.model_fields.items():
        if not info.is_required() or info.annotation is None:
            continue
        try:
            TypeAdapter(info.annotation).validate_python(None)
        except ValidationError:
            refused.add(info.alias or field_name)
    return frozenset(refused)


CHECKS = (check_null_arguments,)
