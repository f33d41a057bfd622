"""YAML parsing that remembers where every node stands, for errors that point at a line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.validation.diagnostics import Diagnostic, Severity

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]


class YamlError(Exception):
    """The text is not YAML, or not a mapping; carries the position of the problem."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def diagnostic(self, file: str, code: str) -> Diagnostic:
        """The error as a finding of ``file`` under rule ``code``."""
        return Diagnostic(
            file,
            self.line,
            self.column,
            code,
            Severity.ERROR,
            "",
            self.message,
            "fix the YAML syntax at this position",
        )


@dataclass
class SourceMap:
    """Where each value (and each mapping key) starts, 1-based line and column."""

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path``, or of its nearest ancestor that has one."""
        if key and path in self.keys:
            return self.keys[path]
        for depth in range(len(path), -1, -1):
            found = self.values.get(path[:depth])
            if found:
                return found
        return (1, 1)


_constructor = yaml.constructor.SafeConstructor()
_SCALARS: dict[str, Callable[[Any], Any]] = {
    "tag:yaml.org,2002:str": lambda node: node.value,
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": lambda node: None,
    "tag:yaml.org,2002:timestamp": _constructor.construct_yaml_timestamp,
}


def parse_with_positions(text: str) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain data and a map of positions."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise _positioned(error, text) from None
    except yaml.YAMLError as error:
        raise YamlError(f"invalid YAML: {error}") from None
    except (ValueError, UnicodeError) as error:  # e.g. NUL bytes, bad encodings
        raise YamlError(f"cannot read the file as YAML text: {error}") from None
    source_map = SourceMap()
    if root is None:
        return None, source_map
    return _convert(root, (), source_map), source_map


def _positioned(error: yaml.MarkedYAMLError, text: str) -> YamlError:
    """Say what PyYAML was reading, and point where the reader can fix it: at the start of
    an unclosed quote or bracket rather than at the end of the file."""
    problem = error.problem or "invalid YAML"
    mark = error.problem_mark or error.context_mark
    started = error.context_mark
    if error.context and started is not None and started is not error.problem_mark:
        at_end = error.problem_mark is None or not text[error.problem_mark.index :].strip()
        if at_end:
            problem = f"{problem} {error.context}"
            mark = started
        elif mark is not None and started.index != mark.index:
            problem = f"{problem} {error.context} (from line {started.line + 1})"
    if mark is None:
        return YamlError(problem)
    if text[mark.index : mark.index + 1] == "\t":
        problem += "; YAML indents with spaces, not tabs"
    return YamlError(problem, mark.line + 1, mark.column + 1)


def _convert(node: yaml.Node, path: Path, source_map: SourceMap) -> Any:
    source_map.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(
                    "YAML merge keys (<<) are not supported in SOP files",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
            key = _convert(key_node, (*path, "<key>"), source_map)
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise YamlError(
                    "a mapping key must be plain text",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
            if key in result:
                raise YamlError(
                    f"the key '{key}' appears twice in this mapping",
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
            child: Path = (*path, key if isinstance(key, str) else str(key))
            source_map.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[child[-1]] = _convert(value_node, child, source_map)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, index), source_map) for index, item in enumerate(node.value)]
    construct = _SCALARS.get(node.tag)
    if construct is None:
        raise YamlError(
            f"the YAML tag '{node.tag}' is not allowed in SOP files",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )
    try:
        return construct(node)
    except (yaml.constructor.ConstructorError, ValueError, OverflowError) as error:
        raise YamlError(
            f"cannot read the value '{node.value}': {error}",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        ) from None
