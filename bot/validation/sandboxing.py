"""SOP212-SOP213: what the expression sandbox would refuse at run time, reported before.

The sandbox blocks private attributes and has none of Jinja's globals, and it refuses work
past its limits; a run that meets either escalates. Where the text alone shows it (a name,
an attribute, a constant like ``9 ** (9 ** 9)``), the author hears it from the validator.
"""

from __future__ import annotations

from bot.procedure.expressions import JINJA_GLOBALS, ExpressionError, analyse, limit_problems
from bot.validation.context import SopContext

_GLOBAL_HINTS = {
    "range": "write the list itself ([1, 2, 3]) or loop over the data",
    "dict": "write a mapping: {'key': value}",
    "namespace": "keep values in a set step",
}


def check_sandbox(context: SopContext) -> None:
    """SOP212: Jinja globals and private attributes; SOP213: constants over the limits."""
    saved = {name.name for name in context.sites.saved}
    for site in context.sites.expressions:
        try:
            analysis = analyse(site.text, condition=site.condition)
        except ExpressionError:
            continue  # SOP207 reports it
        for root in dict.fromkeys(r.root for r in analysis.references):
            if root in JINJA_GLOBALS and root not in saved:
                context.report(
                    "SOP212",
                    site.path,
                    f"'{root}' is one of Jinja's globals, which SOP expressions do not have",
                    _GLOBAL_HINTS.get(root, "remove it"),
                    needle=root,
                )
        for name in sorted(analysis.private):
            context.report(
                "SOP212",
                site.path,
                f"'{name}' is a private attribute: expressions read data fields, "
                "never Python internals",
                needle=name,
            )
        for problem in limit_problems(site.text, condition=site.condition):
            context.report("SOP213", site.path, f"this expression is sure to fail: {problem}")


CHECKS = (check_sandbox,)
