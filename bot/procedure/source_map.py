"""YAML parsing that remembers where every node stands, for errors that point at a line.

This is the one reader of YAML for SOP and scenario files, so it is also where hostile
files are stopped: a file over the size limit is refused before parsing, and alias
expansion, nesting depth and tags are checked while the composed document is converted,
so a 500-byte alias bomb costs a few thousand steps, not gigabytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Any, Literal

import yaml

from bot.procedure.diagnostics import Diagnostic, Severity

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]

MAX_FILE_BYTES = 1_000_000
"""An SOP or scenario file is at most this big; the largest sample is a few kilobytes."""
MAX_DEPTH = 50
"""Values nest at most this deep; real procedures nest fewer than ten levels."""
MAX_VALUES = 100_000
"""A file holds at most this many values once aliases are expanded."""

Problem = Literal["syntax", "limit", "tag"]
"""What is wrong: not readable YAML, over a limit, or a tag SOP files do not allow."""

_HINTS: dict[Problem, str] = {
    "syntax": "fix the YAML syntax at this position",
    "limit": (
        f"keep the file under {MAX_FILE_BYTES:,} bytes, nested at most {MAX_DEPTH} levels "
        f"and at most {MAX_VALUES:,} values with aliases expanded"
    ),
    "tag": "remove the tag (such as !!python/object or !custom) and write the plain value",
}


class YamlError(Exception):
    """The text is not YAML SOP files accept; carries the position and kind of problem."""

    def __init__(
        self, message: str, line: int = 1, column: int = 1, *, problem: Problem = "syntax"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.problem = problem

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
            _HINTS[self.problem],
        )


def read_source(path: FilePath) -> str:
    """The text of a YAML file, refused before parsing when it is too big or not UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise YamlError(f"cannot read the file: {error.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise YamlError(
            f"the file is {len(raw):,} bytes; an SOP file is at most {MAX_FILE_BYTES:,}",
            problem="limit",
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise YamlError(f"the file is not UTF-8 text (byte {error.start})") from None


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


def cut_at_comma(text: str, source_map: SourceMap, path: Path) -> bool:
    """True when the key at ``path`` follows a comma inside ``{ }`` on its line: the sign of
    a value with an unquoted comma (``{note: May 1, 2024}``) that YAML split into a value
    and a stray key. Called only for a key already found wrong, so reading lines is cheap."""
    position = source_map.keys.get(path)
    if position is None:
        return False
    line, column = position
    lines = text.splitlines()
    if line > len(lines):
        return False
    before = lines[line - 1][: column - 1].rstrip()
    return before.endswith(",") and "{" in before


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
    """Parse one YAML document into plain data and a map of positions, within the limits."""
    if len(text) > MAX_FILE_BYTES:
        raise YamlError(
            f"the text is {len(text):,} characters; an SOP file is at most {MAX_FILE_BYTES:,}",
            problem="limit",
        )
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise _positioned(error, text) from None
    except yaml.YAMLError as error:
        raise YamlError(f"invalid YAML: {error}") from None
    except (ValueError, UnicodeError) as error:  # e.g. NUL bytes, bad encodings
        raise YamlError(f"cannot read the file as YAML text: {error}") from None
    if root is None:
        return None, SourceMap()
    converter = _Converter(text)
    return converter.convert(root, ()), converter.source_map


def _positioned(error: yaml.MarkedYAMLError, text: str) -> YamlError:
    """Say what PyYAML was reading, and point where the reader can fix it: at the start of
    an unclosed quote or bracket rather than at the end of the file."""
    problem = error.problem or "invalid YAML"
    mark = error.problem_mark or error.context_mark
    if "nesting depth" in problem and mark is not None:  # libyaml's own limit, past ours
        return _too_deep(mark)
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


def _at(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _too_deep(mark: yaml.Mark) -> YamlError:
    return YamlError(
        f"values are nested more than {MAX_DEPTH} levels deep here; "
        "an SOP file is nested only a few levels",
        mark.line + 1,
        mark.column + 1,
        problem="limit",
    )


_MAPPING_TAG = "tag:yaml.org,2002:map"
_SEQUENCE_TAG = "tag:yaml.org,2002:seq"


def _written(tag: str) -> str:
    """A tag as the author wrote it: ``!!set`` rather than ``tag:yaml.org,2002:set``."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,") else tag


class _Converter:
    """Turns composed nodes into plain data, counting every value it makes.

    The composer shares one node between an anchor and its aliases, so a node met again
    is an alias being expanded, and one met inside itself is an alias that never ends."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.source_map = SourceMap()
        self.values = 0
        self.seen: set[int] = set()
        """The collections met so far: one met again is an alias being expanded."""
        self.within: list[yaml.Node] = []
        """The collections being converted, outermost first."""
        self.open: set[int] = set()
        """The same, by id, to find an alias inside the value it names."""
        self.first_alias: int | None = None
        """Where in ``within`` the outermost alias being expanded stands."""

    def convert(self, node: yaml.Node, path: Path) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.too_many(node)
        self.source_map.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        return self.collection(node, path)

    def collection(self, node: yaml.Node, path: Path) -> Any:
        if len(path) > MAX_DEPTH:
            raise _too_deep(node.start_mark)
        key = id(node)
        if key in self.open:
            raise YamlError(
                f"the alias *{self.anchor(node)} is used inside the value it names, "
                "so the value never ends",
                *_at(node),
                problem="limit",
            )
        expanding = self.first_alias is None and key in self.seen
        if expanding:
            self.first_alias = len(self.within)
        self.seen.add(key)
        self.open.add(key)
        self.within.append(node)
        try:
            if isinstance(node, yaml.MappingNode) and node.tag == _MAPPING_TAG:
                return self.mapping(node, path)
            if isinstance(node, yaml.SequenceNode) and node.tag == _SEQUENCE_TAG:
                return [self.convert(item, (*path, index)) for index, item in enumerate(node.value)]
            raise self.tag(node)
        finally:
            self.within.pop()
            self.open.discard(key)
            if expanding:
                self.first_alias = None

    def too_many(self, node: yaml.Node) -> YamlError:
        """The value past the limit, pointing at the aliases that multiply."""
        if self.first_alias is None:
            return YamlError(
                f"the file holds more than {MAX_VALUES:,} values", *_at(node), problem="limit"
            )
        return YamlError(
            f"aliases (*name) expand this file to more than {MAX_VALUES:,} values; "
            "an SOP file may repeat a block with an alias, not multiply it",
            *_at(self.within[max(self.first_alias - 1, 0)]),
            problem="limit",
        )

    def scalar(self, node: yaml.Node) -> Any:
        construct = _SCALARS.get(node.tag)
        if construct is None:
            raise self.tag(node)
        try:
            return construct(node)
        except (yaml.constructor.ConstructorError, ValueError, OverflowError) as error:
            raise YamlError(f"cannot read the value '{node.value}': {error}", *_at(node)) from None

    def mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(
                    "YAML merge keys (<<) are not supported in SOP files", *_at(key_node)
                )
            key = self.convert(key_node, (*path, "<key>"))
            if not isinstance(key, str | int | float | bool) and key is not None:
                raise YamlError("a mapping key must be plain text", *_at(key_node))
            if key in result:
                raise YamlError(f"the key '{key}' appears twice in this mapping", *_at(key_node))
            child: Path = (*path, key if isinstance(key, str) else str(key))
            self.source_map.keys[child] = _at(key_node)
            result[str(child[-1])] = self.convert(value_node, child)
        return result

    def tag(self, node: yaml.Node) -> YamlError:
        return YamlError(
            f"the YAML tag '{_written(node.tag)}' is not allowed: an SOP file holds plain "
            "text, numbers, lists and mappings",
            *_at(node),
            problem="tag",
        )

    def anchor(self, node: yaml.Node) -> str:
        """The anchor's name, read from the text at the node's start (``&name``)."""
        start = node.start_mark.index
        if self.text[start : start + 1] != "&":
            return "name"
        return self.text[start + 1 : start + 1 + 200].split(maxsplit=1)[0].rstrip(",]}")
