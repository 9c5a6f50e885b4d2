"""Read curated CSV and YAML files, keeping the line of every record and field.

Curators fix what they can find: every value read here remembers where it came from, so a
later check can say "data/memberships.csv:12: field 'role': ...".
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.problems import CuratedDataError, Problem


@dataclass
class Record:
    """One curated record (a CSV row or a YAML list item) with its origin."""

    file: str
    line: int
    values: dict[str, Any]
    field_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)

    def problem(self, name: str | None, message: str) -> Problem:
        line = self.line if name is None else self.line_of(name.split(".")[0])
        return Problem(self.file, line, name, message)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def read_text(path: Path, shown: str) -> str:
    """Decode a file as strict UTF-8; an invalid byte is reported with its line."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise CuratedDataError(
            [Problem(shown, line, None, f"invalid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); save the file as UTF-8")]
        ) from None
    return text.removeprefix("\ufeff")


def read_csv(path: Path, shown: str, columns: list[str]) -> list[Record]:
    """Read a CSV table whose header must be exactly `columns`; blank lines are skipped."""
    text = read_text(path, shown)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    records: list[Record] = []
    start = 1
    try:
        header = next(reader, None)
        if header is None:
            raise CuratedDataError([Problem(shown, 1, None, f"empty file; expected the header {','.join(columns)}")])
        header = [h.strip() for h in header]
        if header != columns:
            missing = [c for c in columns if c not in header]
            extra = [h for h in header if h not in columns]
            detail = []
            if missing:
                detail.append(f"missing {', '.join(missing)}")
            if extra:
                detail.append(f"unknown {', '.join(extra)}")
            if not detail:
                detail.append("columns out of order")
            raise CuratedDataError([Problem(shown, 1, None, f"header must be {','.join(columns)} ({'; '.join(detail)})")])
        start = reader.line_num + 1
        for row in reader:
            line = start
            start = reader.line_num + 1
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                problems.append(Problem(shown, line, None, f"expected {len(columns)} columns, found {len(row)} (check quoting of commas)"))
                continue
            values = {name: cell.strip() for name, cell in zip(columns, row, strict=True)}
            records.append(Record(shown, line, values, {name: line for name in columns}))
    except csv.Error as err:
        detail = f"CSV syntax error: {err}"
        if reader.line_num != start:
            detail += f" (the record starting on this line runs on to line {reader.line_num}: is a quote left open?)"
        raise CuratedDataError([Problem(shown, start, None, detail)]) from None
    if problems:
        raise CuratedDataError(problems)
    return records


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text and records the line of every mapping key."""


class LineDict(dict[str, Any]):
    """A mapping that knows the line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list[Any]):
    """A sequence that knows the line of each of its items."""

    line: int = 0
    item_lines: list[int]


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int):
            raise yaml.constructor.ConstructorError(None, None, "a key must be text", key_node.start_mark)
        key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
# Dates stay text: "2017-06" and "2017-06-07" must be treated alike, and never become datetimes.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml_list(path: Path, shown: str) -> list[Record]:
    """Read a YAML file holding a list of mappings, one record each."""
    text = read_text(path, shown)
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        message = f"YAML syntax error: {err.problem or err.context}"
        if err.context and err.context_mark and err.problem_mark and err.context_mark.line != err.problem_mark.line:
            message += f" ({err.context} that starts on line {err.context_mark.line + 1})"
        raise CuratedDataError([Problem(shown, line, None, message)]) from None
    except yaml.YAMLError as err:
        raise CuratedDataError([Problem(shown, None, None, f"YAML error: {err}")]) from None
    if document is None:
        return []
    if not isinstance(document, LineList):
        raise CuratedDataError([Problem(shown, 1, None, "the file must be a YAML list of records (each starting with '- id: ...')")])
    records: list[Record] = []
    problems: list[Problem] = []
    for item, line in zip(document, document.item_lines, strict=True):
        if not isinstance(item, LineDict):
            problems.append(Problem(shown, line, None, "each list item must be a mapping of fields"))
            continue
        records.append(Record(shown, item.line, dict(item), dict(item.key_lines)))
    if problems:
        raise CuratedDataError(problems)
    return records


def nested_line(value: Any, key: str | int, default: int) -> int:
    """Line of a key inside a nested YAML mapping or of an item of a YAML list."""
    if isinstance(value, LineDict) and isinstance(key, str):
        return value.key_lines.get(key, value.line or default)
    if isinstance(value, LineList) and isinstance(key, int) and 0 <= key < len(value.item_lines):
        return value.item_lines[key]
    return default
