"""Rules about names: actions and their arguments, names read by expressions, roles.

A typo here would otherwise surface at 3 a.m. as a failed run; each rule points at the
misspelt word and suggests the closest known one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from bot.catalogue.operation import Operation
from bot.procedure.expressions import (
    Analysis,
    ExpressionError,
    Reference,
    analyse,
    is_template,
    known_filters,
    known_tests,
)
from bot.procedure.source_map import Path
from bot.validation.context import SopContext, did_you_mean
from bot.validation.operations import facts
from bot.validation.sites import CallSite, ExpressionSite, SavedName, has_template

JINJA_GLOBALS = ("range", "dict", "namespace", "lipsum", "cycler", "joiner")
BUILTINS = frozenset(("inputs", "trigger", "run", "now", "today", "secrets", *JINJA_GLOBALS))
EVENT = "event"
RUN_FIELDS = ("id", "sop_id", "started_by", "started_at", "mode")


# --- actions and arguments ----------------------------------------------------------------


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
            message = f"{operation.name} takes no argument '{name}'" + did_you_mean(name, known)
            context.report("SOP202", path, message, takes, at_key=True)
            continue
        if has_template(value):
            continue  # known only at run time
        problem = argument_problem(operation, name, value)
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


def argument_problem(operation: Operation, name: str, value: Any) -> str | None:
    """Why a literal value would be refused as argument ``name``, or None."""
    try:
        _argument_adapter(operation, name).validate_python(value)
    except ValidationError as error:
        detail = error.errors(include_url=False)[0]
        return f"{detail['msg']}, got {value!r}"
    return None


# --- names read by expressions -------------------------------------------------------------


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
        self._before: list[set[str]] | None = None
        self._shapes: dict[str, tuple[frozenset[str], str] | None] = {}

    def names_before(self, step: int) -> set[str]:
        if self._before is None:
            saves: list[set[str]] = [set() for _ in self.context.procedure.steps]
            for saved in self.context.sites.saved:
                if saved.step is not None:
                    saves[saved.step].add(saved.name)
            self._before = self.context.graph.names_before(saves)
        return self._before[step]

    def resolve(self, site: ExpressionSite, reference: Reference) -> None:
        root, path = reference.root, reference.path
        if root in self.saved:
            self.check_order(site, root)
            if path:
                self.check_field(site, root, path[0])
        elif root == "inputs":
            if path and path[0] not in self.inputs:
                message = f"no input named '{path[0]}'" + did_you_mean(path[0], self.inputs)
                self.unknown(site, message, str(reference))
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
        elif root in BUILTINS:
            return
        elif root in self.inputs:
            self.unknown(
                site,
                f"unknown name '{root}' (did you mean 'inputs.{root}'?)",
                root,
                "inputs are read as inputs.NAME",
            )
        else:
            candidates = [*self.saved, *BUILTINS, *(f"inputs.{name}" for name in self.inputs)]
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
            and root not in self.names_before(site.step)
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


# --- roles and saved names -----------------------------------------------------------------


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
    """SOP211: a save_as or set name never hides a built-in."""
    for saved in context.sites.saved:
        if saved.name in BUILTINS or saved.name == EVENT:
            context.report(
                "SOP211",
                saved.path,
                f"'{saved.name}' is a built-in name: a value saved under it could never be read",
                at_key=saved.path[-2] == "set",
            )


CHECKS = (check_actions, check_expressions, check_roles, check_saved_names)
