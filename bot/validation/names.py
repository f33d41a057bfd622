"""SOP205-SOP211: every name an expression reads is defined, saved before it is read,
and has the field read from it; expressions parse; roles exist.

A typo here would otherwise surface at 3 a.m. as a failed run, so each finding points at
the misspelt word and suggests the closest known one.
"""

from __future__ import annotations

from bot.procedure.constants import ROOT as CONSTANTS
from bot.procedure.dates import FUNCTIONS as DATE_FUNCTIONS
from bot.procedure.expressions import (
    JINJA_GLOBALS,
    Analysis,
    ExpressionError,
    Reference,
    analyse,
    is_template,
    known_filters,
    known_tests,
)
from bot.validation.constants import check_constant
from bot.validation.context import SopContext, did_you_mean
from bot.validation.input_shapes import check_input_path
from bot.validation.operations import facts
from bot.validation.sites import ExpressionSite, SavedName

BUILTINS = frozenset(("inputs", "trigger", "run", "now", "today", "secrets", CONSTANTS))
EVENT = "event"
RUN_FIELDS = ("id", "sop_id", "started_by", "started_at", "mode")


def check_expressions(context: SopContext) -> None:
    """SOP205-SOP207, SOP209, SOP210: every expression parses, and every name it reads is
    defined (and saved before it is read)."""
    resolver = _Resolver(context)
    for site in context.sites.expressions:
        if site.condition and is_template(site.text):
            context.report(
                "SOP207",
                site.path,
                "a condition is an expression without {{ }}",
                f"write: {site.text.replace('{{', '').replace('}}', '').strip()}",
            )
            continue
        try:
            analysis = analyse(site.text, condition=site.condition)
        except ExpressionError as error:
            context.report("SOP207", site.path, str(error))
            continue
        _check_filters_and_tests(context, site, analysis)
        for reference in analysis.references:
            resolver.resolve(site, reference)


def _check_filters_and_tests(context: SopContext, site: ExpressionSite, analysis: Analysis) -> None:
    if analysis.filters:
        filters = known_filters()
        for name in sorted(analysis.filters - filters):
            message = f"unknown filter '{name}'" + did_you_mean(name, filters)
            context.report("SOP210", site.path, message, needle=name)
    if analysis.tests:
        tests = known_tests()
        for name in sorted(analysis.tests - tests):
            message = f"unknown test '{name}'" + did_you_mean(name, tests)
            context.report("SOP210", site.path, message, needle=name)


class _Resolver:
    """Resolves the names of one procedure's expressions; what it learns about a name
    (its shape, where it is saved) is worked out once."""

    def __init__(self, context: SopContext) -> None:
        self.context = context
        self.inputs = context.procedure.inputs
        self.saved: dict[str, list[SavedName]] = {}
        for saved in context.sites.saved:
            self.saved.setdefault(saved.name, []).append(saved)
        self.judge_order = context.graph.complete
        self._shapes: dict[str, tuple[frozenset[str], str] | None] = {}

    def resolve(self, site: ExpressionSite, reference: Reference) -> None:
        root, path = reference.root, reference.path
        if root == "inputs":
            if path and path[0] not in self.inputs:
                message = f"no input named '{path[0]}'" + did_you_mean(path[0], self.inputs)
                self.unknown(site, message, str(reference))
            elif len(path) > 1:
                check_input_path(self.context, site, path[0], path[1:])
        elif root == "run":
            if path and path[0] not in RUN_FIELDS:
                message = f"run has no field '{path[0]}'" + did_you_mean(path[0], RUN_FIELDS)
                self.unknown(site, message, str(reference), "run has: " + ", ".join(RUN_FIELDS))
        elif root == EVENT:
            if not site.event:
                self.unknown(
                    site,
                    "'event' is defined only in trigger filters and inputs' from",
                    root,
                    "copy what you need from the event into an input",
                )
        elif root == CONSTANTS:
            check_constant(self.context, site, path)
        elif root in BUILTINS:
            return
        elif root in self.saved:
            self.check_order(site, root)
            if path:
                self.check_field(site, root, path[0])
        elif root in DATE_FUNCTIONS:
            return  # a date function of the sandbox: to_date, add_duration ...
        elif root in JINJA_GLOBALS:
            return  # SOP212 says that expressions have none of Jinja's globals
        elif root in self.inputs:
            self.unknown(
                site,
                f"unknown name '{root}' (did you mean 'inputs.{root}'?)",
                root,
                "inputs are read as inputs.NAME",
            )
        else:
            candidates = [
                *self.saved,
                *BUILTINS,
                *DATE_FUNCTIONS,
                *(f"inputs.{name}" for name in self.inputs),
            ]
            self.unknown(site, f"unknown name '{root}'" + did_you_mean(root, candidates), root)

    def unknown(
        self, site: ExpressionSite, message: str, needle: str, hint: str | None = None
    ) -> None:
        self.context.report("SOP205", site.path, message, hint, needle=needle)

    def check_order(self, site: ExpressionSite, root: str) -> None:
        if site.scope == "start":
            self.context.report(
                "SOP209",
                site.path,
                f"'{root}' is read when the run starts, before any step saves it",
                "read inputs and trigger here",
                needle=root,
            )
        elif (
            site.step is not None
            and self.judge_order
            and root not in site.local_names
            and site.step in self.context.graph.reachable_steps
            and root not in self.context.names_before[site.step]
        ):
            steps = self.context.procedure.steps
            savers = ", ".join(
                f"'{steps[d.step].id}'" for d in self.saved[root] if d.step is not None
            )
            self.context.report(
                "SOP209",
                site.path,
                f"'{root}' is read before any step that could save it"
                + (f" (saved by {savers})" if savers else ""),
                needle=root,
            )

    def shape(self, root: str) -> tuple[frozenset[str], str] | None:
        """The fields a saved name is known to have and where they come from; None when
        unknown (a computed value, or an unknown operation)."""
        if root not in self._shapes:
            fields: set[str] = set()
            sources: list[str] = []
            shape: tuple[frozenset[str], str] | None = None
            for definition in self.saved[root]:
                operation = (
                    self.context.catalogue.get(definition.operation)
                    if definition.operation is not None
                    else None
                )
                if definition.fields is not None:
                    fields |= definition.fields
                    sources.append("the task's fields")
                elif operation is not None:
                    fields |= facts(operation).result_fields
                    sources.append(f"{operation.name}'s result")
                else:
                    break
            else:
                shape = (frozenset(fields), " or ".join(dict.fromkeys(sources)))
            self._shapes[root] = shape
        return self._shapes[root]

    def check_field(self, site: ExpressionSite, root: str, field: str) -> None:
        shape = self.shape(root)
        if shape is None or field in shape[0]:
            return
        fields, source = shape
        self.context.report(
            "SOP206",
            site.path,
            f"'{root}' has no field '{field}'" + did_you_mean(field, fields),
            f"{source} has: " + ", ".join(sorted(fields)),
            needle=f"{root}.{field}",
        )


def check_roles(context: SopContext) -> None:
    """SOP208: every role:NAME is defined under roles."""
    roles = context.procedure.roles
    for site in context.sites.targets:
        if site.target.startswith("role:"):
            name = site.target.removeprefix("role:")
            if name not in roles:
                message = f"role '{name}' is not defined in roles" + did_you_mean(name, roles)
                context.report("SOP208", site.path, message)


def check_saved_names(context: SopContext) -> None:
    """SOP211: no save_as or set name is hidden by a built-in of the same name."""
    for saved in context.sites.saved:
        if saved.name in BUILTINS or saved.name == EVENT:
            context.report(
                "SOP211",
                saved.path,
                f"'{saved.name}' is a built-in name: a value saved under it could never be read",
                at_key=saved.path[-2] == "set",
            )


CHECKS = (check_expressions, check_roles, check_saved_names)
