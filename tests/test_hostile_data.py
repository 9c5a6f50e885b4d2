"""Hostile or careless curated files: each gives one `error: data/FILE:LINE: ...` line, exit 1, no
traceback, bounded memory and time, and the previous build stays byte for byte as it was.

The pattern is the one of test_bad_input.py: copy data/ to a temporary folder, break one thing.
"""

from __future__ import annotations

import csv
import errno
import gzip
import io
import os
import signal
import subprocess
import sys
import textwrap
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from graph import release as release_module
from graph.builder import readers
from graph.builder.readers import read_yaml_list
from graph.config import PROJECT_ROOT
from graph.problems import CuratedDataError
from tests.test_bad_input import _line_of_row, _rows, _set_cell, _snapshot, _write_rows, _yaml_line
from webapp.cli import main

Mutation = Callable[[Path], tuple[str, int | None, str | None, str]]
"""Breaks one thing in a copy of data/; returns (file, line or None, field, words the error must contain)."""


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good build to prove that a failed one does not touch it."""
    out = tmp_path_factory.mktemp("good") / "build"
    assert main(["build", "--build", str(out)]) == 0
    return out


def _build(workspace: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["build", "--data", str(workspace / "data"), "--ontology", str(workspace / "ontology"), "--build", str(out)])
    return code, capsys.readouterr().err


def _the_error(code: int, err: str) -> str:
    """The one `error:` line of a failed build without a traceback."""
    assert code == 1, err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, err
    return errors[0]


def _insert_after(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(line, text)
    path.write_text("".join(lines), encoding="utf-8")


def _replace_line(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1], lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


def _title_en_line(data: Path) -> int:
    """Line of `en:` under the title of event dt-2nd-sofia-2017."""
    line = _yaml_line(data / "events.yaml", "dt-2nd-sofia-2017", "title") + 1
    assert data.joinpath("events.yaml").read_text(encoding="utf-8").splitlines()[line - 1].startswith("    en: ")
    return line


# -- 1, 2: YAML that expands or nests without end ---------------------------------------------------


def yaml_anchor_and_alias(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    line = _title_en_line(data)
    _replace_line(path, line, "en: ", "en: &title ")
    _replace_line(path, line + 1, "bg: Работна среща от партньорството „Дигитален преход“", "bg: *title")
    return "events.yaml", line, None, "YAML anchor '&title': anchors and aliases are not allowed in curated data"


def yaml_nested_20000_deep_lists(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    line = _title_en_line(data)
    _replace_line(path, line, "en: 2nd meeting", "en: " + "[" * 20_000 + "]" * 20_000 + " # 2nd meeting")
    return "events.yaml", line, None, f"nested more than {readers.MAX_YAML_DEPTH} levels deep"


def yaml_nested_20000_deep_mappings(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "partnerships.yaml"
    line = _yaml_line(path, "digital-transition", "note")
    _insert_after(path, line - 1, "  deep: " + "{a: " * 20_000 + "x" + "}" * 20_000 + "\n")
    return "partnerships.yaml", line, None, "nested more than"


# -- 3: size ------------------------------------------------------------------------------------------


def huge_yaml_file(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    with path.open("a", encoding="utf-8") as stream:
        stream.write(("# padding padding padding padding padding padding padding padding padding padding\n") * 40_000)
    size = path.stat().st_size
    return "events.yaml", None, None, f"is {size:,} bytes; a curated file may be at most {readers.MAX_FILE_BYTES:,} bytes"


def csv_line_of_10_mb(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "people.csv"
    rows = _rows(path)
    rows[2][rows[0].index("note")] = "x" * 10_000_000
    _write_rows(path, rows)
    return "people.csv", None, None, f"a curated file may be at most {readers.MAX_FILE_BYTES:,} bytes"


def csv_enormous_field(data: Path) -> tuple[str, int | None, str | None, str]:
    """Past the csv module's own field limit (131,072 characters), on a line of its own."""
    path = data / "sources.csv"
    line = _line_of_row(path, 4)
    rows = _rows(path)
    rows[4][rows[0].index("evidence")] = "y" * 200_000
    _write_rows(path, rows)
    return "sources.csv", line, None, f"a value is longer than 131,072 characters; a value may hold at most {readers.MAX_VALUE_CHARS:,}"


def csv_long_value(data: Path) -> tuple[str, int | None, str | None, str]:
    line = _set_cell(data / "sources.csv", 4, "evidence", "z" * 50_000)
    return "sources.csv", line, "evidence", f"is 50,000 characters long; a value may hold at most {readers.MAX_VALUE_CHARS:,}"


def yaml_long_value(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    line = _title_en_line(data)
    _replace_line(path, line, "en: 2nd meeting", "en: " + "w" * 30_000 + " 2nd meeting")
    return "events.yaml", line, "title.en", f"characters long; a value may hold at most {readers.MAX_VALUE_CHARS:,}"


# -- 4: characters --------------------------------------------------------------------------------------


def csv_nul_byte(data: Path) -> tuple[str, int | None, str | None, str]:
    line = _set_cell(data / "people.csv", 2, "name", "Malina\x00Edreva")
    return "people.csv", line, "name", "contains the control character U+0000 (NUL) at character 7; remove it"


def csv_escape_sequence(data: Path) -> tuple[str, int | None, str | None, str]:
    """A terminal escape in a value: refused, and shown escaped rather than sent to the terminal."""
    line = _set_cell(data / "organisations.csv", 3, "name_en", "City\x1b[2J of Nowhere")
    return "organisations.csv", line, "name_en", "U+001B (ESC)"


def csv_line_break_in_single_line_field(data: Path) -> tuple[str, int | None, str | None, str]:
    line = _set_cell(data / "organisations.csv", 3, "name_en", "City of\nSomewhere")
    return "organisations.csv", line, "name_en", "contains a line break at character 8; this field is a single line"


def csv_tab_in_single_line_field(data: Path) -> tuple[str, int | None, str | None, str]:
    line = _set_cell(data / "places.csv", 5, "name_en", "Some\tPlace")
    return "places.csv", line, "name_en", "contains a tab at character 5; this field is a single line"


def csv_carriage_return_in_note(data: Path) -> tuple[str, int | None, str | None, str]:
    """A note may span lines, but with line feeds: a lone CR (inside quotes) is refused even there."""
    path = data / "memberships.csv"
    rows = _rows(path)
    rows[6][rows[0].index("note")] = "first\rsecond"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    return "memberships.csv", 7, "note", "contains the control character U+000D (CR) at character 6"


def csv_noncharacter(data: Path) -> tuple[str, int | None, str | None, str]:
    line = _set_cell(data / "countries.csv", 2, "name_bg", "Бълг\ufffeария")
    return "countries.csv", line, "name_bg", "the noncharacter U+FFFE (XML cannot carry it)"


def csv_bidi_override(data: Path) -> tuple[str, int | None, str | None, str]:
    line = _set_cell(data / "sources.csv", 3, "title", "Report \u202egnp.exe")
    return "sources.csv", line, "title", "the invisible right-to-left override U+202E"


def yaml_raw_nul(data: Path) -> tuple[str, int | None, str | None, str]:
    """A NUL written as such: PyYAML would read it as the end of the file; found first, with its field."""
    path = data / "events.yaml"
    line = _title_en_line(data)
    _replace_line(path, line, "2nd meeting", "2nd\x00meeting")
    return "events.yaml", line, "title.en", "contains the control character U+0000 (NUL) at column 12; remove it"


def yaml_raw_line_separator(data: Path) -> tuple[str, int | None, str | None, str]:
    """U+2028 is a line break to YAML but not to editors: line numbers would drift."""
    path = data / "partnerships.yaml"
    line = _yaml_line(path, "digital-transition", "note")
    _replace_line(path, line, "note: 'End", "note: 'End\u2028")
    return "partnerships.yaml", line, "note", "the invisible line separator U+2028 at column 13"


def yaml_raw_control_in_comment(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    _insert_after(path, 0, "# a comment with a bell \x07 in it\n")
    return "events.yaml", 1, None, "U+0007 (BEL) at column 25; remove it"


def yaml_escaped_nul(data: Path) -> tuple[str, int | None, str | None, str]:
    """The same NUL written as a YAML escape reaches the value: refused per field."""
    path = data / "events.yaml"
    line = _title_en_line(data)
    _replace_line(path, line, "en: 2nd meeting (working meeting) of the Partnership on Digital Transition", 'en: "2nd meeting\\0"')
    return "events.yaml", line, "title.en", "contains the control character U+0000 (NUL) at character 12; remove it"


def yaml_escaped_lone_surrogate(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    line = _yaml_line(path, "dt-2nd-sofia-2017", "date_certainty")
    _replace_line(path, line, "stated", '"stat\\ud800ed"')
    return "events.yaml", line, "date_certainty", "a lone surrogate U+D800 (not a character; XML cannot carry it) at character 5"


def yaml_escaped_uffff(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    line = _title_en_line(data) + 1
    _replace_line(path, line, "bg: Работна среща от партньорството „Дигитален преход“", 'bg: "Работна среща\\uffff"')
    return "events.yaml", line, "title.bg", "the noncharacter U+FFFF"


def yaml_line_break_in_single_line_field(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    line = _title_en_line(data)
    _replace_line(path, line, "en: 2nd meeting (working meeting) of the Partnership on Digital Transition", 'en: "2nd meeting\\nof the partnership"')
    return "events.yaml", line, "title.en", "contains a line break at character 12; this field is a single line"


def yaml_control_character_in_key(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    line = _title_en_line(data)
    _replace_line(path, line, "en: ", '"e\\en": ')
    return "events.yaml", line, "title.e\\u001bn", "the field name contains the control character U+001B (ESC)"


# -- 5: empty required files ------------------------------------------------------------------------------


def empty_events_yaml(data: Path) -> tuple[str, int | None, str | None, str]:
    (data / "events.yaml").write_bytes(b"")
    return "events.yaml", 1, None, "holds no records; this file is required"


def events_yaml_only_null(data: Path) -> tuple[str, int | None, str | None, str]:
    (data / "events.yaml").write_text("null\n", encoding="utf-8")
    return "events.yaml", 1, None, "holds no records; this file is required"


def partnerships_yaml_only_a_comment(data: Path) -> tuple[str, int | None, str | None, str]:
    (data / "partnerships.yaml").write_text("# the partnerships\n\n", encoding="utf-8")
    return "partnerships.yaml", 1, None, "holds no records; this file is required"


def memberships_csv_header_only(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "memberships.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines(keepends=True)[0], encoding="utf-8")
    return "memberships.csv", 1, None, "holds no records; this file is required"


def empty_csv(data: Path) -> tuple[str, int | None, str | None, str]:
    (data / "places.csv").write_bytes(b"")
    return "places.csv", 1, None, "empty file; expected the header id,type,"


# -- 7: other nasty values ---------------------------------------------------------------------------------------


def yaml_duplicate_key(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    line = _yaml_line(path, "dt-2nd-sofia-2017", "end")
    first = _yaml_line(path, "dt-2nd-sofia-2017", "start")
    _replace_line(path, line, "end:", "start:")
    return "events.yaml", line, None, f"duplicate key 'start' (first on line {first}); YAML would keep only the last value"


def yaml_python_tag(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    line = _yaml_line(path, "dt-2nd-sofia-2017", "date_certainty")
    marker = data.parent / "pwned"
    _replace_line(path, line, "stated", f"!!python/object/apply:os.system ['touch {marker}']")
    return "events.yaml", line, None, "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system': tags are not allowed in curated data"


def yaml_int_tag_on_text(data: Path) -> tuple[str, int | None, str | None, str]:
    """`!!int` on a word would make SafeLoader's constructor raise a bare ValueError."""
    path = data / "events.yaml"
    line = _yaml_line(path, "dt-2nd-sofia-2017", "date_certainty")
    _replace_line(path, line, "stated", "!!int stated")
    return "events.yaml", line, None, "YAML tag 'tag:yaml.org,2002:int'"


def yaml_plain_scalar_that_crashes_safeloader(data: Path) -> tuple[str, int | None, str | None, str]:
    """`0x_` resolves as an int and int('', 16) fails: a clean error, not a traceback."""
    path = data / "events.yaml"
    line = _yaml_line(path, "dt-2nd-sofia-2017", "date_certainty")
    _replace_line(path, line, "stated", "0x_")
    return "events.yaml", line, None, "'0x_' cannot be read as a value; quote it to keep it as text"


def yaml_several_documents(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    lines = path.read_text(encoding="utf-8").count("\n")
    with path.open("a", encoding="utf-8") as stream:
        stream.write("---\n- id: second-document\n")
    return "events.yaml", lines + 1, None, "a second YAML document starts here"


def yaml_boolean_key(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "events.yaml"
    line = _title_en_line(data) + 1
    _replace_line(path, line, "bg: ", "no: ")
    return "events.yaml", line, None, "a key must be text, not 'no' (quote keys such as 'no', 'yes', 'on')"


def utf16_file(data: Path) -> tuple[str, int | None, str | None, str]:
    path = data / "countries.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    return "countries.csv", 1, None, "invalid UTF-8 (byte 0xff at offset 0); save the file as UTF-8"


def symlink_outside_data(data: Path) -> tuple[str, int | None, str | None, str]:
    outside = data.parent / "outside.csv"
    outside.write_bytes((data / "people.csv").read_bytes())
    (data / "people.csv").unlink()
    (data / "people.csv").symlink_to(outside)
    return "people.csv", None, None, "is a symbolic link; a curated file must be a regular file inside the data folder"


def dangling_symlink(data: Path) -> tuple[str, int | None, str | None, str]:
    (data / "places.csv").unlink()
    (data / "places.csv").symlink_to(data.parent / "no-such-file.csv")
    return "places.csv", None, None, "is a symbolic link"


def folder_instead_of_file(data: Path) -> tuple[str, int | None, str | None, str]:
    (data / "events.yaml").unlink()
    (data / "events.yaml").mkdir()
    return "events.yaml", None, None, "is not a regular file (a folder, pipe or device)"


def named_pipe_instead_of_file(data: Path) -> tuple[str, int | None, str | None, str]:
    """Reading a FIFO would block the build for ever: refused without opening it for a read that waits."""
    (data / "events.yaml").unlink()
    os.mkfifo(data / "events.yaml")
    return "events.yaml", None, None, "is not a regular file (a folder, pipe or device)"


def missing_file(data: Path) -> tuple[str, int | None, str | None, str]:
    (data / "sources.csv").unlink()
    return "sources.csv", None, None, "file is missing"


MUTATIONS: list[Mutation] = [
    yaml_anchor_and_alias,
    yaml_nested_20000_deep_lists,
    yaml_nested_20000_deep_mappings,
    huge_yaml_file,
    csv_line_of_10_mb,
    csv_enormous_field,
    csv_long_value,
    yaml_long_value,
    csv_nul_byte,
    csv_escape_sequence,
    csv_line_break_in_single_line_field,
    csv_tab_in_single_line_field,
    csv_carriage_return_in_note,
    csv_noncharacter,
    csv_bidi_override,
    yaml_raw_nul,
    yaml_raw_line_separator,
    yaml_raw_control_in_comment,
    yaml_escaped_nul,
    yaml_escaped_lone_surrogate,
    yaml_escaped_uffff,
    yaml_line_break_in_single_line_field,
    yaml_control_character_in_key,
    empty_events_yaml,
    events_yaml_only_null,
    partnerships_yaml_only_a_comment,
    memberships_csv_header_only,
    empty_csv,
    yaml_duplicate_key,
    yaml_python_tag,
    yaml_int_tag_on_text,
    yaml_plain_scalar_that_crashes_safeloader,
    yaml_several_documents,
    yaml_boolean_key,
    utf16_file,
    symlink_outside_data,
    dangling_symlink,
    folder_instead_of_file,
    named_pipe_instead_of_file,
    missing_file,
]


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging) when the block takes longer than `seconds`."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.__name__ for m in MUTATIONS])
def test_hostile_file_is_refused_precisely_and_loses_nothing(mutation: Mutation, workspace: Path, good_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file, line, field, words = mutation(workspace / "data")
    before = _snapshot(good_build)

    with _deadline(30):
        code, err = _build(workspace, good_build, capsys)

    message = _the_error(code, err)
    where = f"/data/{file}: " if line is None else f"/data/{file}:{line}: "
    assert message.startswith("error: ") and where in message, message
    if field is not None:
        assert f"{where}field '{field}': " in message, message
    else:
        assert f"{where}field " not in message, message
    assert words in message, message
    assert "previous build is untouched" in err
    assert not any(ord(c) < 0x20 and c != "\n" for c in err), "control characters reach the terminal"
    assert not (workspace / "pwned").exists()
    assert _snapshot(good_build) == before


def test_alias_bomb_is_refused_in_bounded_memory_and_time(workspace: Path, tmp_path: Path) -> None:
    """A billion laughs (10**9 strings from 15 lines) under an address-space limit of 768 MiB.

    Before the refusal, turning the title into text tried to build gigabytes (MemoryError under
    this limit); now the first anchor stops the parser. A subprocess with a hard limit and a timeout,
    so a regression fails this test instead of the machine.
    """
    path = workspace / "data" / "events.yaml"
    bomb = ["- id: lol", "  type: partnership-meeting", "  start: '2017'", "  sources: [uaeu-pp-2025]", '  note: &a0 "lol lol lol lol lol lol lol lol lol lol"']
    bomb += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    bomb += ["  title: {en: *a9}"]
    anchor_line = path.read_text(encoding="utf-8").count("\n") + 5
    path.write_text(path.read_text(encoding="utf-8") + "\n".join(bomb) + "\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (768 * 2**20, 768 * 2**20))
        from webapp.cli import main
        sys.exit(main(["build", "--data", {str(workspace / "data")!r}, "--ontology", {str(workspace / "ontology")!r}, "--build", {str(tmp_path / "out")!r}]))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT, check=False)
    message = _the_error(done.returncode, done.stderr)
    assert "MemoryError" not in done.stderr
    assert f"/data/events.yaml:{anchor_line}: YAML anchor '&a0': anchors and aliases are not allowed" in message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "text",
    [
        "- id: x\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + "".join(f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
        + "  title: {en: *a9}\n",
        "- id: x\n  deep: " + "[" * 20_000 + "]" * 20_000 + "\n",
        "- id: x\n  deep: " + "{a: " * 20_000 + "x" + "}" * 20_000 + "\n",
    ],
    ids=["alias-bomb", "deep-lists", "deep-mappings"],
)
def test_refusing_a_hostile_yaml_file_stays_small_and_quick(text: str, tmp_path: Path) -> None:
    """Peak Python memory while reading (and refusing) the file: under 10 MB, in under 5 seconds."""
    path = tmp_path / "events.yaml"
    path.write_text(text, encoding="utf-8")
    tracemalloc.start()
    try:
        with _deadline(5), pytest.raises(CuratedDataError) as refused:
            read_yaml_list(path, "data/events.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20, peak
    assert [p.line for p in refused.value.problems] == [2]


def _validate(workspace: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["validate", "--data", str(workspace / "data"), "--ontology", str(workspace / "ontology")])
    return code, capsys.readouterr().err


# -- 6: memberships within their partnership's lifetime ----------------------------------------------------------


def _membership_row(data: Path, ident: str) -> int:
    return next(i for i, row in enumerate(_rows(data / "memberships.csv")) if row[0] == ident)


def test_membership_starting_before_its_partnership_is_an_error(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = workspace / "data"
    line = _set_cell(data / "memberships.csv", _membership_row(data, "public-procurement--tallinn-city"), "start", "2016-05")
    start_line = _yaml_line(data / "partnerships.yaml", "public-procurement", "start") + 1

    message = _the_error(*_validate(workspace, capsys))

    assert f"/data/memberships.csv:{line}: field 'start': 2016-05 is before partnership 'public-procurement' started (2017, " in message
    assert f"/data/partnerships.yaml:{start_line});" in message
    assert "record it in that partnership's start.conflicts: an entry naming 'public-procurement--tallinn-city' and its source (uaeu-pp-2025)" in message


def test_membership_ending_after_its_partnership_is_an_error(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = workspace / "data"
    line = _set_cell(data / "memberships.csv", _membership_row(data, "housing--vienna-city"), "end", "2019-03")

    message = _the_error(*_validate(workspace, capsys))

    assert f"/data/memberships.csv:{line}: field 'end': 2019-03 is after partnership 'housing' ended (2018, " in message
    assert "that partnership's end.conflicts: an entry naming 'housing--vienna-city'" in message


def test_membership_starting_after_its_partnership_ended_is_an_error(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = workspace / "data"
    line = _set_cell(data / "memberships.csv", _membership_row(data, "housing--lisbon-city"), "start", "2021")

    message = _the_error(*_validate(workspace, capsys))

    assert f"/data/memberships.csv:{line}: field 'start': 2021 is after partnership 'housing' ended (2018, " in message


def test_lifetime_compares_periods_and_is_open_without_an_end(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'2018' overlaps a partnership that started in 2018-11, '2018' ends with one that ended in 2018,
    and a partnership with no end date is still running in 2030: none of these is outside."""
    data = workspace / "data"
    _set_cell(data / "memberships.csv", _membership_row(data, "culture-cultural-heritage--germany-bmi"), "start", "2018")
    _set_cell(data / "memberships.csv", _membership_row(data, "housing--vienna-city"), "end", "2018-12-31")
    _set_cell(data / "memberships.csv", _membership_row(data, "public-procurement--leiden-city"), "end", "2030")

    code, err = _validate(workspace, capsys)

    assert code == 0, err


def test_a_conflicts_entry_records_a_real_disagreement(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Naming the membership and its source in the partnership's start.conflicts lets it stand;
    naming only the membership (no source) does not."""
    data = workspace / "data"
    _set_cell(data / "memberships.csv", _membership_row(data, "public-procurement--tallinn-city"), "start", "2016-05")
    path = data / "partnerships.yaml"
    note = _yaml_line(path, "public-procurement", "start") + 6
    assert path.read_text(encoding="utf-8").splitlines()[note - 1].startswith("    note: ")
    _insert_after(path, note, "    conflicts:\n    - A test source says public-procurement--tallinn-city took part from May 2016.\n")
    assert _the_error(*_validate(workspace, capsys))

    text = path.read_text(encoding="utf-8").replace("from May 2016.", "from May 2016 (uaeu-pp-2025).")
    path.write_text(text, encoding="utf-8")
    code, err = _validate(workspace, capsys)
    assert code == 0, err


# -- things that must just work ---------------------------------------------------------------------------------------


def test_bom_and_crlf_files_build_the_same_graph(workspace: Path, good_build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Files saved on Windows (byte order mark, CRLF line ends) give the very same dumps."""
    for path in (workspace / "data").iterdir():
        if path.suffix in (".csv", ".yaml"):
            path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    out = tmp_path / "build"

    code, err = _build(workspace, out, capsys)

    assert code == 0, err
    assert (out / "dumps" / "uaeu.nq").read_bytes() == (good_build / "dumps" / "uaeu.nq").read_bytes()


def test_multi_line_notes_are_kept(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A line break or a tab in a prose field (a CSV note, a YAML literal block) is not an error."""
    data = workspace / "data"
    _set_cell(data / "memberships.csv", 3, "note", "First line.\n\tSecond line.")
    _set_cell(data / "sources.csv", 3, "evidence", "'A quote'\n'and another'")
    path = data / "events.yaml"
    line = _yaml_line(path, "dt-2nd-sofia-2017", "date_certainty")
    _insert_after(path, line, "  conflicts:\n  - |\n    A source says otherwise\n    \tover two lines (uaeu-pp-2025).\n")

    code, err = _validate(workspace, capsys)

    assert code == 0, err


def test_people_csv_may_hold_no_records(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The one curated file that may be empty: the errors are the references to its people, not the file."""
    path = workspace / "data" / "people.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines(keepends=True)[0], encoding="utf-8")

    code, err = _validate(workspace, capsys)

    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert code == 1
    assert errors and all("/data/events.yaml:" in e and "unknown person" in e for e in errors), err


def test_missing_data_folder_is_one_error(tmp_path: Path, good_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _snapshot(good_build)
    capsys.readouterr()

    code = main(["build", "--data", str(tmp_path / "data"), "--build", str(good_build)])

    message = _the_error(code, capsys.readouterr().err)
    assert message == f"error: {tmp_path / 'data'}: the curated data folder is missing (or not a folder); give --data or UAEU_DATA_DIR"
    assert _snapshot(good_build) == before


def test_record_and_node_limits(workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The limits count records and YAML values, and name the line where the file goes past them."""
    data = workspace / "data"
    monkeypatch.setattr(readers, "MAX_RECORDS", 100)
    code, err = _validate(workspace, capsys)
    assert code == 1 and "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 5 and all("more than 100 records in one file" in e for e in errors), err  # the five files with more
    assert any(f"/data/memberships.csv:{_line_of_row(data / 'memberships.csv', 101)}: " in e for e in errors), err

    monkeypatch.setattr(readers, "MAX_RECORDS", 10_000)
    monkeypatch.setattr(readers, "MAX_YAML_NODES", 1_000)
    code, err = _validate(workspace, capsys)
    assert code == 1 and "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2 and all("more than 1,000 YAML values in one file" in e for e in errors), err


# -- 8: a full disk while writing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["gzip.compress", "release._write"])
def test_full_disk_while_writing_is_one_error(
    where: str, good_build: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The disk fills up part-way through writing a new release (a stand-in raises ENOSPC on the third write)."""
    # Changed data, so the build has a new release to write (the same data would reuse the existing one).
    partnerships = workspace / "data" / "partnerships.yaml"
    partnerships.write_text(partnerships.read_text(encoding="utf-8").replace("Digital Transition", "Digital Transition (edited)", 1), encoding="utf-8")
    before = _snapshot(good_build)
    calls = []
    real_compress, real_write = gzip.compress, release_module._write

    def full_disk() -> None:
        calls.append(1)
        if len(calls) >= 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def compress(data: bytes, *args: Any, **kwargs: Any) -> bytes:
        full_disk()
        return real_compress(data, *args, **kwargs)

    def write(path: Path, data: bytes) -> None:
        full_disk()
        real_write(path, data)

    if where == "gzip.compress":
        monkeypatch.setattr(gzip, "compress", compress)
    else:
        monkeypatch.setattr(release_module, "_write", write)

    code, err = _build(workspace, good_build, capsys)

    assert len(calls) >= 3, f"the build no longer writes through {where}: point this test at the new writer"
    assert _the_error(code, err) == f"error: cannot write the build to {good_build}: No space left on device"
    assert _snapshot(good_build) == before
    assert not [p for p in (good_build / "releases").iterdir() if p.name.startswith(".")], "a staging folder was left behind"


def test_unwritable_build_folder_is_one_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The build folder's parent is a file: a real OSError from the file system, no stand-in."""
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    out = tmp_path / "a-file" / "build"
    capsys.readouterr()

    code = main(["build", "--build", str(out)])

    message = _the_error(code, capsys.readouterr().err)
    assert message.startswith(f"error: cannot write the build to {out}: ")
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "not a folder"
