"""Read SOP files into procedures, turning every problem into a positioned diagnostic.

A broken file never raises: it comes back with diagnostics and no procedure, so the
files around it are still checked and served.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.procedure import constants
from bot.procedure.diagnostics import Diagnostic, Severity, format_location
from bot.procedure.includes import Origin, expand, expanded_text, has_includes, is_block_file
from bot.procedure.model import Procedure
from bot.procedure.source_map import (
    Path,
    Problem,
    SourceMap,
    YamlError,
    cut_at_comma,
    parse_with_positions,
    read_source,
)
from bot.procedure.steps import STEP_KINDS, step_kind
from bot.procedure.types import TARGET_PATTERN

SOP_SUFFIXES = (".yml", ".yaml")
YAML_CODES: dict[Problem, str] = {"syntax": "SOP001", "limit": "SOP003", "tag": "SOP004"}
"""The rule each kind of YAML problem is reported under."""
CONSTANT_CODES: dict[str, tuple[str, str]] = {
    constants.UNKNOWN: ("SOP250", "add it under 'constants:', or fix the name"),
    constants.WRONG_TYPE: ("SOP251", "refer to a constant of the type this key takes"),
}
"""The rule and hint of a limit's reference to a constant that does not resolve."""


@dataclass
class LoadedSop:
    """One SOP file: its text, data, positions, the procedure (if it parsed) and findings."""

    file: str
    text: str
    data: Any = None
    source_map: SourceMap = field(default_factory=SourceMap)
    procedure: Procedure | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)
    """Where each step was written, when the file includes blocks (else empty)."""
    expanded: str | None = None
    """The text with its blocks in place, when the file includes any."""

    @property
    def pinned_text(self) -> str:
        """What a run pins and the library stores: the exact text, or, when the file
        includes blocks, the expanded text, so that a block edited later changes nothing."""
        return self.expanded if self.expanded is not None else self.text

    @property
    def content_hash(self) -> str:
        """The SHA-256 of the pinned text."""
        return hashlib.sha256(self.pinned_text.encode()).hexdigest()

    def locate(self, path: Path, *, key: bool = False) -> tuple[str, int, int]:
        """The file, line and column of ``path``; a step from a block is in the block's file."""
        index = path[1] if len(path) >= 2 and path[0] == "steps" else None
        if isinstance(index, int) and 0 <= index < len(self.origins):
            origin = self.origins[index]
            return (origin.file, *origin.locate(path[2:], key=key))
        return (self.file, *self.source_map.locate(path, key=key))

    def diagnostic(
        self,
        code: str,
        severity: Severity,
        path: Path,
        message: str,
        hint: str | None = None,
        *,
        at_key: bool = False,
    ) -> Diagnostic:
        """A finding positioned at ``path`` (in a block's file for a block's step)."""
        file, line, column = self.locate(path, key=at_key)
        return Diagnostic(file, line, column, code, severity, format_location(path), message, hint)


def is_sop_file(path: FilePath) -> bool:
    """SOP files are YAML files that are not scenario tests (``*.test.yml``) nor shared
    blocks of steps (``*.steps.yml``)."""
    return (
        path.suffix in SOP_SUFFIXES and not path.stem.endswith(".test") and not is_block_file(path)
    )


def load_file(path: FilePath | str) -> LoadedSop:
    """Load one file; unreadable, oversized and non-UTF-8 files become a finding too."""
    try:
        text = read_source(FilePath(path))
    except YamlError as error:
        loaded = LoadedSop(str(path), "")
        loaded.diagnostics.append(error.diagnostic(str(path), YAML_CODES[error.problem]))
        return loaded
    return load_text(text, str(path))


def load_text(text: str, file: str = "<text>") -> LoadedSop:
    """Parse and check the model of one SOP text."""
    loaded = LoadedSop(file, text)
    try:
        loaded.data, loaded.source_map = parse_with_positions(text)
    except YamlError as error:
        loaded.diagnostics.append(error.diagnostic(file, YAML_CODES[error.problem]))
        return loaded
    if not isinstance(loaded.data, dict):
        kind = "empty" if loaded.data is None else f"a {type(loaded.data).__name__}"
        loaded.diagnostics.append(
            loaded.diagnostic(
                "SOP002",
                Severity.ERROR,
                (),
                f"an SOP file holds one mapping (id, title, steps, ...); this one is {kind}",
                "start from an example in sops/ or docs/writing-sops.md",
            )
        )
        return loaded
    if has_includes(loaded.data) and not _expand_includes(loaded):
        return loaded
    try:
        loaded.procedure = Procedure.model_validate(loaded.data)
    except ValidationError as error:
        loaded.diagnostics.extend(
            _schema_diagnostic(loaded, detail) for detail in error.errors(include_url=False)
        )
    return loaded


def _expand_includes(loaded: LoadedSop) -> bool:
    """Put the blocks' steps in place of the includes; False (with findings) when one
    cannot be expanded."""
    expansion = expand(loaded.data, loaded.file, loaded.source_map)
    for problem in expansion.problems:
        origin = problem.origin
        loaded.diagnostics.append(
            Diagnostic(
                origin.file,
                *origin.locate(()),
                problem.code,
                Severity.ERROR,
                format_location(origin.path),
                problem.message,
            )
        )
    if expansion.problems:
        return False
    loaded.data = {**loaded.data, "steps": expansion.steps}
    loaded.origins = expansion.origins
    loaded.expanded = expanded_text(loaded.data, loaded.file)
    return True


def _schema_diagnostic(loaded: LoadedSop, detail: ErrorDetails) -> Diagnostic:
    path = _data_path(loaded.data, detail["loc"])
    kind = detail["type"]
    if kind == "missing":
        return loaded.diagnostic(
            "SOP101",
            Severity.ERROR,
            path[:-1],
            f"missing required key '{path[-1]}'",
            f"add '{path[-1]}:' here",
        )
    if kind == "extra_forbidden":
        stray = _stray_key(loaded, path)
        if stray is not None:
            message, hint = stray
            return loaded.diagnostic("SOP102", Severity.ERROR, path, message, hint, at_key=True)
        suggestion = _suggest_key(str(path[-1]))
        hint = (
            f"did you mean '{suggestion}'?"
            if suggestion
            else "remove it, or check docs/writing-sops.md"
        )
        message = f"unknown key '{path[-1]}'" + (
            f" (did you mean '{suggestion}'?)" if suggestion else ""
        )
        return loaded.diagnostic("SOP102", Severity.ERROR, path, message, hint, at_key=True)
    if kind == "step_kind":
        return loaded.diagnostic(
            "SOP103",
            Severity.ERROR,
            path,
            detail["msg"],
            "give the step exactly one of: " + ", ".join(STEP_KINDS),
        )
    if kind in CONSTANT_CODES:
        code, hint = CONSTANT_CODES[kind]
        return loaded.diagnostic(code, Severity.ERROR, path, detail["msg"], hint)
    return loaded.diagnostic("SOP104", Severity.ERROR, path, _readable(detail), None)


_INSTEAD: dict[tuple[str, str], str] = {("end", "reason"): "message", ("end", "text"): "message"}
"""Keys written on a step kind that says the same thing under another key."""


def _stray_key(loaded: LoadedSop, path: Path) -> tuple[str, str] | None:
    """Message and hint for an unknown key that is not a typo: the rest of a value cut at
    an unquoted comma, or a key of other parts of a procedure (where the plain "did you
    mean" would suggest the very same key)."""
    key = str(path[-1])
    parent = _value_at(loaded.data, path[:-1])
    cut = isinstance(parent, dict) and parent.get(key) is None
    if cut and cut_at_comma(loaded.text, loaded.source_map, path):
        return (
            f"'{key}' is the end of the value before it, cut off at an unquoted comma: "
            "inside { } a comma ends a value",
            'put the whole value in quotes, such as note: "May 1, 2024"',
        )
    if _suggest_key(key) != key:
        return None
    kind = step_kind(parent) if len(path) == 3 and path[0] == "steps" else None
    if kind is None:
        return (f"'{key}' does not belong here", "remove it, or check docs/writing-sops.md")
    step = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} step"
    instead = _INSTEAD.get((kind, key))
    if instead is not None:
        return (
            f"{step} has no '{key}': its text is '{instead}'",
            f"write {instead}: instead of {key}:",
        )
    return (f"{step} has no '{key}'", f"remove it; docs/writing-sops.md lists what {step} takes")


def _value_at(data: Any, path: Path) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


_COLLECTION_TYPES = frozenset(("dict_type", "list_type", "model_type", "model_attributes_type"))


def _readable(detail: ErrorDetails) -> str:
    message = detail["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    value = detail.get("input")
    context = detail.get("ctx") or {}
    if value is None and detail["type"] in _COLLECTION_TYPES and detail["loc"]:
        key = detail["loc"][-1]
        entries = "declare at least one input" if key == "inputs" else "write its entries"
        return f"{key} is empty (nothing follows '{key}:'): remove it or {entries}"
    if detail["type"] == "string_pattern_mismatch" and context.get("pattern") == TARGET_PATTERN:
        return (
            f"'{value}' is not a Slack user, group or channel ID, a #channel, role:NAME or starter "
            "(display names change; IDs do not)"
        )
    if detail["type"] == "string_pattern_mismatch":
        return f"'{value}' does not have the expected form ({context.get('pattern')})"
    if detail["type"].endswith("_type") or detail["type"].endswith("_parsing"):
        return f"{message}, got {value!r}"
    return message


def _data_path(data: Any, loc: tuple[int | str, ...]) -> Path:
    """Map pydantic's error location onto the document, dropping union tags and the like."""
    if len(loc) > 2 and loc[0] == "steps" and loc[2] in STEP_KINDS:
        loc = (*loc[:2], *loc[3:])  # the union's tag, not a key of the document
    path: list[str | int] = []
    current = data
    for part in loc:
        in_mapping = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_mapping or in_list:
            path.append(part)
            current = current[part]
        elif isinstance(current, dict) and isinstance(part, str) and "[" not in part:
            path.append(part)  # a key that is missing or forbidden
            current = None
    return tuple(path)


@lru_cache(maxsize=1)
def _known_keys() -> tuple[str, ...]:
    keys: set[str] = set()
    pending: list[type[BaseModel]] = [Procedure]
    seen: set[type[BaseModel]] = set()
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            keys.add(info.alias or name)
        pending.extend(sub for sub in _models_in(model) if sub not in seen)
    return tuple(sorted(keys))


def _models_in(model: type[BaseModel]) -> list[type[BaseModel]]:
    import typing

    found: list[type[BaseModel]] = []

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found.append(annotation)
        for argument in typing.get_args(annotation):
            visit(argument)

    for info in model.model_fields.values():
        visit(info.annotation)
    return found


def _suggest_key(key: str) -> str | None:
    matches = difflib.get_close_matches(key, _known_keys(), n=1, cutoff=0.7)
    return matches[0] if matches else None
