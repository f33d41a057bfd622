"""SOP206 for list and object inputs: ``inputs.customer.nmae`` names a field the object
input does not declare, and ``inputs.tags.name`` reads a field of a list."""

from __future__ import annotations

from bot.procedure.inputs import InputSpec
from bot.validation.context import SopContext, did_you_mean
from bot.validation.sites import ExpressionSite


def check_input_path(
    context: SopContext, site: ExpressionSite, name: str, path: tuple[str, ...]
) -> None:
    """Follow ``inputs.NAME.a.b`` through the declared fields; report the first wrong step."""
    spec: InputSpec = context.procedure.inputs[name]
    reached = f"inputs.{name}"
    for field in path:
        if spec.type == "list":
            context.report(
                "SOP206",
                site.path,
                f"'{reached}' is a list and has no field '{field}'",
                f"read an item with {reached}[0], or loop over {reached}",
                needle=f"{reached}.{field}",
            )
            return
        if spec.type != "object":
            return  # a text's methods and a date's parts are the expression's business
        if field not in spec.fields:
            context.report(
                "SOP206",
                site.path,
                f"'{reached}' has no field '{field}'" + did_you_mean(field, spec.fields),
                f"{reached} has: " + ", ".join(spec.fields),
                needle=f"{reached}.{field}",
            )
            return
        spec, reached = spec.fields[field], f"{reached}.{field}"
