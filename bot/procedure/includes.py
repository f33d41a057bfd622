"""Shared blocks of steps: ``- include: shared/verify-customer.steps.yml`` in a step list.

A block file holds ``steps:`` (and an optional ``description:``); its steps take the
include's place when the procedure loads, so they are validated like the caller's own and
run as part of it. A run pins the procedure *with* its blocks: a file that includes any is
stored as its expanded text (``expanded_text``), hashed as such, so editing a block later
never changes a run in flight.

Every expanded step remembers where it was written (``Origin``), so a finding in a block's
step points at the block file's line, not the caller's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path as FilePath
from pathlib import PurePosixPath
from typing import Any

import yaml

from bot.procedure.source_map import (
    Path,
    SourceMap,
    YamlError,
    parse_with_positions,
    read_source,
)

BLOCK_SUFFIXES = (".steps.yml", ".steps.yaml")
"""A block file's name ends so: never mistaken for a procedure when a folder is validated."""
MAX_DEPTH = 10
"""Blocks nest at most this deep (a longer chain is almost surely a cycle in disguise)."""


INCLUDE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "include": {
            "type": "string",
            "pattern": r"^[^/].*\.steps\.ya?ml$",
            "description": "a block of steps, by its path relative to this file, such as "
            "shared/verify-customer.steps.yml; its steps take this item's place",
        }
    },
    "required": ["include"],
    "additionalProperties": False,
}
"""What editors accept in a step list besides a step."""


@dataclass(frozen=True)
class Origin:
    """Where an expanded step was written: the file, its positions and the step's path."""

    file: str
    source_map: SourceMap
    path: Path

    def locate(self, rest: Path, *, key: bool = False) -> tuple[int, int]:
        """The position of ``rest`` (a path below the step) in the file it was written in."""
        return self.source_map.locate((*self.path, *rest), key=key)


@dataclass(frozen=True)
class IncludeProblem:
    """An include that cannot be expanded: the rule, the message and where it was written."""

    code: str
    message: str
    origin: Origin


@dataclass
class Expansion:
    """The caller's steps with every include replaced, and what went wrong."""

    steps: list[Any]
    origins: list[Origin]
    problems: list[IncludeProblem]
    included: list[str]


def is_block_file(path: FilePath | str) -> bool:
    """True for a shared block of steps (``*.steps.yml``)."""
    return str(path).endswith(BLOCK_SUFFIXES)


def has_includes(data: Any) -> bool:
    """True when the procedure's step list includes a block."""
    steps = data.get("steps") if isinstance(data, dict) else None
    return isinstance(steps, list) and any(_include_of(step) is not None for step in steps)


def expand(data: dict[str, Any], file: str, source_map: SourceMap) -> Expansion:
    """The steps of ``data`` with each include replaced by the block's steps, recursively."""
    expansion = Expansion([], [], [], [])
    _expand_into(expansion, data["steps"], file, source_map, ("steps",), (file,))
    return expansion


def expanded_text(data: dict[str, Any], file: str) -> str:
    """The procedure with its blocks in place, as YAML: what a run pins and stores."""
    header = f"# {file} with its included blocks in place\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _include_of(step: Any) -> Any:
    """The include's target when ``step`` is an include item, else None."""
    if isinstance(step, dict) and set(step) == {"include"}:
        return step["include"]
    return None


def _expand_into(
    expansion: Expansion,
    steps: list[Any],
    file: str,
    source_map: SourceMap,
    prefix: Path,
    chain: tuple[str, ...],
) -> None:
    for index, step in enumerate(steps):
        origin = Origin(file, source_map, (*prefix, index))
        target = _include_of(step)
        if target is None:
            expansion.steps.append(step)
            expansion.origins.append(origin)
            continue
        at_target = Origin(file, source_map, (*origin.path, "include"))
        block = _read_block(target, file, chain, at_target, expansion)
        if block is not None:
            block_file, block_steps, block_map = block
            expansion.included.append(block_file)
            _expand_into(
                expansion, block_steps, block_file, block_map, ("steps",), (*chain, block_file)
            )


def _read_block(
    target: Any, file: str, chain: tuple[str, ...], at: Origin, expansion: Expansion
) -> tuple[str, list[Any], SourceMap] | None:
    """The block's file name, steps and positions, or None after noting why not."""

    def problem(code: str, message: str) -> None:
        expansion.problems.append(IncludeProblem(code, message, at))

    if not isinstance(target, str) or not is_block_file(target):
        problem(
            "SOP252",
            f"include takes the path of a block file ending in .steps.yml, not {target!r}",
        )
        return None
    relative = PurePosixPath(target)
    if relative.is_absolute() or ".." in relative.parts:
        problem(
            "SOP252",
            f"'{target}' leaves this file's folder; include blocks from it or below it",
        )
        return None
    block_file = str(FilePath(file).parent / relative)
    if block_file in chain:
        top = FilePath(chain[0]).parent
        cycle = " → ".join(
            os.path.relpath(name, top) for name in (*chain[chain.index(block_file) :], block_file)
        )
        problem("SOP253", f"'{target}' includes itself: {cycle}")
        return None
    if len(chain) > MAX_DEPTH:
        problem("SOP253", f"blocks nest more than {MAX_DEPTH} deep here: {' → '.join(chain)}")
        return None
    try:
        data, block_map = parse_with_positions(read_source(FilePath(block_file)))
    except YamlError as error:
        missing = not FilePath(block_file).is_file()
        problem(
            "SOP252" if missing else "SOP254",
            f"no block file '{target}' next to this file ({block_file})"
            if missing
            else f"the block '{target}' cannot be read: {error.message} "
            f"(line {error.line}, column {error.column})",
        )
        return None
    steps = data.get("steps") if isinstance(data, dict) else None
    extra = sorted(set(data) - {"steps", "description"}) if isinstance(data, dict) else []
    if not isinstance(steps, list) or not steps or extra:
        why = (
            "it has " + ", ".join(f"'{key}'" for key in extra) + " (a block holds only "
            "'steps:' and 'description:')"
            if extra
            else "it has no list of steps under 'steps:'"
        )
        problem("SOP254", f"'{target}' is not a block of steps: {why}")
        return None
    return block_file, steps, block_map
