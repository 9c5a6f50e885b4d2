"""Read curated CSV and YAML files, keeping the line of every record and field.

Curators fix what they can find: every value read here remembers where it came from, so a
later check can say "data/memberships.csv:12: field 'role': ...".
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graph.problems import CuratedDataError, Problem

# Limits on one curated file, far above what the data needs (today the largest file is under 70 KB
# with 3,100 YAML values nested 7 deep, and the longest value has 3,100 characters). They keep a
# broken or hostile file from taking the build's memory and time. Documented in
# docs/curated-data-format.md and data/README.md ("Limits").
MAX_FILE_BYTES = 2 * 1024 * 1024
"""Bytes in one curated file (2 MiB)."""
MAX_RECORDS = 10_000
"""Records (CSV rows, YAML list items) in one file."""
MAX_VALUE_CHARS = 20_000
"""Characters in one value (a CSV cell, a YAML scalar)."""
MAX_YAML_DEPTH = 32
"""Nesting of YAML lists and mappings."""
MAX_YAML_NODES = 100_000
"""YAML values (scalars, lists, mappings) in one file; the parser keeps about 60 MB for that many."""
MAX_CHARACTER_LINES = 20
"""Lines reported per file for a forbidden character; the others are counted."""


def _noncharacters() -> str:
    """U+FDD0..U+FDEF and the last two code points of every plane, as a regex class body."""
    planes = "".join(rf"\U{plane:04x}fffe\U{plane:04x}ffff" for plane in range(0x1, 0x11))
    return r"\ufdd0-\ufdef\ufffe\uffff" + planes


# Refused in every value, and anywhere in a YAML file: C0 controls except tab and line feed (a
# carriage return too: CRLF is read as LF), DEL and the C1 controls; what XML 1.0 cannot carry
# (surrogates, U+FFFE, U+FFFF) and the other noncharacters; the line and paragraph separators (YAML
# reads them as line breaks, editors do not show them); the bidirectional embedding, override and
# isolate controls (text that displays other than it reads); a byte order mark inside the text.
_NEVER = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufeff" + _noncharacters()
FORBIDDEN = re.compile(f"[{_NEVER}]")
"""Characters no field may hold."""
FORBIDDEN_ON_ONE_LINE = re.compile(f"[{_NEVER}" r"\t\n]")
"""Characters a single-line field may not hold: the above, a tab and a line break."""
_C0_NAMES = "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US".split()  # noqa: SIM905


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


def _refuse(shown: str, message: str, line: int | None = None) -> CuratedDataError:
    return CuratedDataError([Problem(shown, line, None, message)])


def _read_bytes(path: Path, shown: str) -> bytes:
    """The bytes of a curated file: a regular file in the data folder, at most MAX_FILE_BYTES.

    A symbolic link is refused, whatever it points at: the build must not read (and quote in its
    errors) a file outside the data folder, and git would store the link, not the data. Opening with
    O_NOFOLLOW and O_NONBLOCK means a link swapped in meanwhile is not followed and a named pipe does
    not block the build; the size is checked on the open file and the read stops past the limit.
    """
    try:
        if path.is_symlink():
            raise _refuse(shown, "is a symbolic link; a curated file must be a regular file inside the data folder (copy the file in instead)")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise _refuse(shown, "file is missing") from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise _refuse(shown, "is a symbolic link; a curated file must be a regular file inside the data folder (copy the file in instead)") from None
        raise _refuse(shown, f"cannot be read: {err.strerror or err}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise _refuse(shown, "is not a regular file (a folder, pipe or device); a curated file must be a regular file")
        if info.st_size > MAX_FILE_BYTES:
            os.close(fd)
            raise _refuse(
                shown,
                f"is {info.st_size:,} bytes; a curated file may be at most {MAX_FILE_BYTES:,} bytes (MAX_FILE_BYTES in graph/builder/readers.py)",
            )
        with os.fdopen(fd, "rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise _refuse(shown, f"cannot be read: {err.strerror or err}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(shown, f"is more than {MAX_FILE_BYTES:,} bytes; a curated file may be at most {MAX_FILE_BYTES:,} bytes")
    return data


def read_text(path: Path, shown: str) -> str:
    """Decode a file as strict UTF-8; an invalid byte is reported with its line.

    A leading byte order mark is dropped and CRLF line ends are read as LF, so files saved on
    Windows read the same.
    """
    data = _read_bytes(path, shown)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise CuratedDataError(
            [Problem(shown, line, None, f"invalid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); save the file as UTF-8")]
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


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
            reasons = []
            if missing:
                reasons.append(f"missing {', '.join(missing)}")
            if extra:
                reasons.append(f"unknown {', '.join(extra)}")
            if not reasons:
                reasons.append("columns out of order")
            raise CuratedDataError([Problem(shown, 1, None, f"header must be {','.join(columns)} ({'; '.join(reasons)})")])
        start = reader.line_num + 1
        for row in reader:
            line = start
            start = reader.line_num + 1
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(records) + len(problems) == MAX_RECORDS:
                raise CuratedDataError([Problem(shown, line, None, f"more than {MAX_RECORDS:,} records in one file (MAX_RECORDS in graph/builder/readers.py)")])
            if len(row) != len(columns):
                problems.append(Problem(shown, line, None, f"expected {len(columns)} columns, found {len(row)} (check quoting of commas)"))
                continue
            values = {name: cell.strip() for name, cell in zip(columns, row, strict=True)}
            records.append(Record(shown, line, values, {name: line for name in columns}))
    except csv.Error as err:
        detail = f"CSV syntax error: {err}"
        if "field larger than field limit" in str(err):
            detail = f"a value is longer than {csv.field_size_limit():,} characters; a value may hold at most {MAX_VALUE_CHARS:,}"
        if reader.line_num != start:
            detail += f" (the record starting on this line runs on to line {reader.line_num}: is a quote left open?)"
        raise CuratedDataError([Problem(shown, start, None, detail)]) from None
    if problems:
        raise CuratedDataError(problems)
    return records


class _Refused(Exception):
    """Something curated YAML may not use, at a place in the file."""

    def __init__(self, message: str, mark: yaml.Mark | Any | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = mark.line + 1 if mark is not None else None


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text and records the line of every mapping key.

    It also refuses what curated data never needs and an attacker could use: anchors and aliases
    (an alias bomb expands a few lines into gigabytes), tags (`!!python/object`, `!!binary`; and
    `!!int x` would fail in the constructor), nesting deeper than MAX_YAML_DEPTH (the composer and
    constructor recurse), more than MAX_YAML_NODES values and a second document in the stream. The
    composer stops at the first of these, before anything is expanded or built.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(f"YAML alias '*{event.anchor}': anchors and aliases are not allowed in curated data; write the value out in full", event.start_mark)
        if getattr(event, "anchor", None) is not None:
            raise _Refused(f"YAML anchor '&{event.anchor}': anchors and aliases are not allowed in curated data; write the value out in full", event.start_mark)
        if getattr(event, "tag", None) is not None:
            raise _Refused(
                f"YAML tag '{event.tag}': tags are not allowed in curated data; write plain values (quote a value to keep it as text)", event.start_mark
            )
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise _Refused(f"more than {MAX_YAML_NODES:,} YAML values in one file (MAX_YAML_NODES in graph/builder/readers.py)", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _Refused(f"lists and mappings nested more than {MAX_YAML_DEPTH} levels deep; curated records need far fewer", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> yaml.Node | None:
        self.get_event()  # the stream start
        document = None
        if not self.check_event(yaml.StreamEndEvent):
            document = self.compose_document()
        if not self.check_event(yaml.StreamEndEvent):
            raise _Refused("a second YAML document starts here; a curated file holds one list of records (remove the '---')", self.get_event().start_mark)
        self.get_event()
        return document

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError, KeyError):
            # SafeLoader's own constructors fail on some plain scalars, e.g. `0x_` (int('', 16)).
            raise _Refused(f"'{node.value}' cannot be read as a value; quote it to keep it as text", node.start_mark) from None


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
        if isinstance(key, bool) or not isinstance(key, str | int):
            raise _Refused(f"a key must be text, not {key_node.value!r} (quote keys such as 'no', 'yes', 'on')", key_node.start_mark)
        key = str(key)
        if key in result:
            raise _Refused(f"duplicate key '{key}' (first on line {result.key_lines[key]}); YAML would keep only the last value", key_node.start_mark)
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


def _compose(text: str) -> yaml.Node | None:
    loader = _LineLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _construct(text: str) -> Any:
    loader = _LineLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_yaml_list(path: Path, shown: str) -> list[Record]:
    """Read a YAML file holding a list of mappings, one record each."""
    text = read_text(path, shown)
    raw = _yaml_character_problems(text, shown)
    if raw:
        raise CuratedDataError(raw)
    try:
        document = _construct(text)
    except _Refused as err:
        raise CuratedDataError([Problem(shown, err.line, None, err.message)]) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        message = f"YAML syntax error: {err.problem or err.context}"
        if err.context and err.context_mark and err.problem_mark and err.context_mark.line != err.problem_mark.line:
            message += f" ({err.context} that starts on line {err.context_mark.line + 1})"
        raise CuratedDataError([Problem(shown, line, None, message)]) from None
    except yaml.YAMLError as err:
        position = getattr(err, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        raise CuratedDataError([Problem(shown, line, None, f"YAML error: {err}")]) from None
    if document is None:
        return []
    if not isinstance(document, LineList):
        raise CuratedDataError([Problem(shown, 1, None, "the file must be a YAML list of records (each starting with '- id: ...')")])
    if len(document) > MAX_RECORDS:
        raise CuratedDataError(
            [Problem(shown, document.item_lines[MAX_RECORDS], None, f"more than {MAX_RECORDS:,} records in one file (MAX_RECORDS in graph/builder/readers.py)")]
        )
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


def _yaml_character_problems(text: str, shown: str) -> list[Problem]:
    """Forbidden characters written as such in a YAML file (escapes are checked per field later).

    PyYAML refuses most of them without a line, reads NUL as the end of the file and NEL, U+2028
    and U+2029 as line breaks; so they are found here first, with line and column. The field is
    named when the character is inside a key or a value of a record: the file is composed once
    more with each such character read as a space (so every offset is kept).
    """
    hits: list[tuple[int, int, int, str]] = []  # line, offset, column, character: the first on each line
    more = 0
    line, counted = 1, 0
    for match in FORBIDDEN.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        if hits and hits[-1][0] == line:
            continue
        if len(hits) == MAX_CHARACTER_LINES:
            more += 1
            continue
        hits.append((line, match.start(), match.start() - text.rfind("\n", 0, match.start()), match.group()))
    if not hits:
        return []
    try:
        document = _compose(FORBIDDEN.sub(" ", text))
    except (_Refused, yaml.YAMLError):
        document = None
    problems = []
    for line, offset, column, character in hits:
        name = _field_at(document, offset) if document is not None else None
        problems.append(Problem(shown, line, name, _forbidden_message(character, f" at column {column}")))
    if more:
        problems.append(Problem(shown, None, None, f"{more} more lines hold such characters"))
    return problems


def _field_at(node: yaml.Node, offset: int, name: str = "") -> str | None:
    """The field (`title.en`, `milestones.note`) whose key or value holds the character at `offset`."""
    if not node.start_mark.index <= offset < node.end_mark.index:
        return None
    if isinstance(node, yaml.ScalarNode):
        return name or None
    if isinstance(node, yaml.SequenceNode):
        return next((found for child in node.value if (found := _field_at(child, offset, name))), None)
    for key_node, value_node in node.value:
        key = f"{name}.{key_node.value}" if name else str(key_node.value)
        if key_node.start_mark.index <= offset < key_node.end_mark.index:
            return key
        found = _field_at(value_node, offset, key)
        if found:
            return found
    return None


def describe_character(character: str) -> str:
    """A character as a person can find it: 'the control character U+0000 (NUL)'."""
    code = ord(character)
    if character == "\t":
        return "a tab"
    if character == "\n":
        return "a line break"
    if code < 0x20:
        return f"the control character U+{code:04X} ({_C0_NAMES[code]})"
    if code == 0x7F:
        return "the control character U+007F (DEL)"
    if code <= 0x9F:
        return f"the control character U+{code:04X}"
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate U+{code:04X} (not a character; XML cannot carry it)"
    if code == 0xFEFF:
        return "a byte order mark U+FEFF inside the text"
    name = unicodedata.name(character, "")
    if name:
        return f"the invisible {name.lower()} U+{code:04X}"
    return f"the noncharacter U+{code:04X} (XML cannot carry it)"


def _forbidden_message(character: str, where: str) -> str:
    return f"contains {describe_character(character)}{where}; remove it (curated text may not hold control characters, invisible marks or what XML 1.0 cannot carry)"


def character_problems(record: Record, multi_line: Callable[[str], bool]) -> list[Problem]:
    """Characters a record's values and keys may not hold, and values longer than MAX_VALUE_CHARS.

    `multi_line(field)` says whether a field is prose that may span lines (a note, a quote): there a
    tab and a line break are kept; every other field is a single line.
    """
    problems: list[Problem] = []

    def visit(value: Any, name: str, line: int) -> None:
        if isinstance(value, str):
            if len(value) > MAX_VALUE_CHARS:
                problems.append(Problem(record.file, line, name, f"is {len(value):,} characters long; a value may hold at most {MAX_VALUE_CHARS:,}"))
                return
            pattern = FORBIDDEN if multi_line(name) else FORBIDDEN_ON_ONE_LINE
            found = pattern.search(value)
            if found is None:
                return
            where = f" at character {found.start() + 1}"
            if found.group() in "\t\n":
                message = f"contains {describe_character(found.group())}{where}; this field is a single line (only notes, conflicts and quotes may span lines)"
            else:
                message = _forbidden_message(found.group(), where)
            problems.append(Problem(record.file, line, name, message))
        elif isinstance(value, dict):
            for key, item in value.items():
                field_name = f"{name}.{key}" if name else str(key)
                key_line = nested_line(value, key, line)
                bad = FORBIDDEN_ON_ONE_LINE.search(str(key))
                if bad:
                    problems.append(Problem(record.file, key_line, field_name, f"the field name {_forbidden_message(bad.group(), '')}"))
                    continue
                visit(item, field_name, key_line)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, name, nested_line(value, index, line))

    for name, value in record.values.items():
        bad = FORBIDDEN_ON_ONE_LINE.search(name)
        if bad:
            problems.append(Problem(record.file, record.line_of(name), name, f"the field name {_forbidden_message(bad.group(), '')}"))
            continue
        visit(value, name, record.line_of(name))
    return problems


def nested_line(value: Any, key: str | int, default: int) -> int:
    """Line of a key inside a nested YAML mapping or of an item of a YAML list."""
    if isinstance(value, LineDict) and isinstance(key, str):
        return value.key_lines.get(key, value.line or default)
    if isinstance(value, LineList) and isinstance(key, int) and 0 <= key < len(value.item_lines):
        return value.item_lines[key]
    return default
