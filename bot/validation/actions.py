"""SOP201-SOP204: every action names an operation of the catalogue, with the arguments
that operation takes, and literal arguments it would accept."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from bot.catalogue.operation import Operation
from bot.procedure.source_map import Path, cut_at_comma
from bot.validation.context import SopContext, did_you_mean
from bot.validation.operations import facts
from bot.validation.sites import CallSite, has_template


def check_actions(context: SopContext) -> None:
    """SOP201-SOP204: every call names a known operation with valid arguments."""
    for site in context.sites.calls:
        operation = context.catalogue.get(site.call.action)
        if operation is None:
            _unknown_action(context, site.call.action, (*site.path, "action"))
        else:
            _check_arguments(context, site, operation)
    permissions = context.procedure.permissions
    for key in ("allow", "never"):
        for index, name in enumerate(getattr(permissions, key)):
            if name not in context.catalogue:
                _unknown_action(context, name, ("permissions", key, index))
    for name in permissions.limits:
        if name not in context.catalogue:
            _unknown_action(context, name, ("permissions", "limits", name), at_key=True)
    for index, disclosure in enumerate(context.procedure.guardrails.required_disclosures):
        for position, name in enumerate(disclosure.applies_to):
            if name not in context.catalogue:
                path = ("guardrails", "required_disclosures", index, "applies_to", position)
                _unknown_action(context, name, path)


def _unknown_action(context: SopContext, name: str, path: Path, *, at_key: bool = False) -> None:
    namespace = name.split(".", 1)[0]
    siblings = [op.name for op in context.catalogue if op.namespace == namespace]
    if siblings:
        hint = f"{namespace} offers: " + ", ".join(siblings)
    else:
        hint = "known connectors: " + ", ".join(c.namespace for c in context.catalogue.connectors)
    suggestion = context.catalogue.suggest(name)
    message = f"unknown action '{name}'" + (
        f" (did you mean '{suggestion}'?)" if suggestion else ""
    )
    context.report("SOP201", path, message, hint, at_key=at_key)


def _check_arguments(context: SopContext, site: CallSite, operation: Operation) -> None:
    arguments = site.call.with_
    known = facts(operation).arguments
    takes = f"{operation.name} takes: " + ", ".join(known)
    for name, value in arguments.items():
        path = (*site.path, "with", name)
        if name not in known:
            if value is None and cut_at_comma(context.loaded.text, context.loaded.source_map, path):
                message = (
                    f"'{name}' is the end of the argument before it, cut off at an unquoted "
                    "comma: inside { } a comma ends a value"
                )
                hint = 'put the whole value in quotes, such as note: "May 1, 2024"'
                context.report("SOP202", path, message, hint, at_key=True)
                continue
            message = f"{operation.name} takes no argument '{name}'" + did_you_mean(name, known)
            context.report("SOP202", path, message, takes, at_key=True)
            continue
        if has_template(value):
            continue  # known only at run time
        problem = _argument_problem(operation, name, value)
        if problem:
            context.report("SOP204", path, f"argument '{name}' of {operation.name}: {problem}")
    missing = [name for name in facts(operation).required if name not in arguments]
    if missing:
        where = "with" if "with_" in site.call.model_fields_set else "action"
        names = ", ".join(f"'{name}'" for name in missing)
        plural = "s" if len(missing) > 1 else ""
        message = f"{operation.name} needs the argument{plural} {names}"
        context.report("SOP203", (*site.path, where), message, takes)


@lru_cache(maxsize=1024)
def _argument_adapter(operation: Operation, name: str) -> TypeAdapter[Any]:
    for field_name, info in operation.args.model_fields.items():
        if (info.alias or field_name) == name:
            annotation: Any = info.annotation
            return TypeAdapter(
                Annotated[annotation, *info.metadata] if info.metadata else annotation
            )
    raise KeyError(name)


def _argument_problem(operation: Operation, name: str, value: Any) -> str | None:
    """Why a literal value would be refused as argument ``name``, or None."""
    try:
        _argument_adapter(operation, name).validate_python(value)
    except ValidationError as error:
        detail = error.errors(include_url=False)[0]
        return f"{detail['msg']}, got {value!r}"
    return None


CHECKS = (check_actions,)
