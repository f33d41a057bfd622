"""SOP250-SOP251 in expressions: ``constants.NAME`` names a constant the procedure declares,
and reads no field from a constant that has none.

(The loader reports the same codes for ``permissions.limits`` that refer to constants.)
"""

from __future__ import annotations

from bot.procedure.constants import ROOT, describe, unknown_message
from bot.validation.context import SopContext
from bot.validation.sites import ExpressionSite


def check_constant(context: SopContext, site: ExpressionSite, path: tuple[str, ...]) -> None:
    """Report a read of ``constants`` + ``path`` that cannot work at run time."""
    if not path:
        return
    known = context.procedure.constants
    name = path[0]
    if name not in known:
        context.report("SOP250", site.path, unknown_message(name, known), needle=f"{ROOT}.{name}")
    elif len(path) > 1:
        context.report(
            "SOP251",
            site.path,
            f"the constant '{name}' is {describe(known[name])}; it has no field '{path[1]}'",
            needle=f"{ROOT}.{name}.{path[1]}",
        )
