"""Each kind of bad curated input gives one clear error (file, line, field), exits non-zero,
and leaves the previous build untouched."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from webapp.cli import main

Mutation = Callable[[Path], tuple[str, int, str | None, str]]
"""Breaks one thing in a copy of data/; returns (file, line, field, words the error must contain)."""


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _line_of_row(path: Path, index: int) -> int:
    """1-based line on which CSV row `index` (0 = header) starts, allowing for multi-line cells."""
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    start = 1
    for number, _ in enumerate(reader):
        if number == index:
            return start
        start = reader.line_num + 1
    raise IndexError(index)


def _set_cell(path: Path, index: int, column: str, value: str) -> int:
    rows = _rows(path)
    rows[index][rows[0].index(column)] = value
    _write_rows(path, rows)
    return _line_of_row(path, index)


def _yaml_line(path: Path, record_id: str, key: str) -> int:
    """Line of `key:` inside the YAML record `- id: record_id`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"^- id: {re.escape(record_id)}\s*$", line))
    for i in range(start, len(lines)):
        if i > start and lines[i].startswith("- "):
            break
        if re.match(rf"^(- |  ){key}:", lines[i]):
            return i + 1
    raise KeyError(f"{record_id}.{key}")


def _replace_yaml_value(path: Path, record_id: str, key: str, value: str) -> int:
    line = _yaml_line(path, record_id, key)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    prefix = lines[line - 1].split(":", 1)[0]
    lines[line - 1] = f"{prefix}: {value}\n"
    path.write_text("".join(lines), encoding="utf-8")
    return line


def unknown_reference(data: Path) -> tuple[str, int, str | None, str]:
    line = _set_cell(data / "memberships.csv", 1, "organisation", "no-such-organisation")
    return "memberships.csv", line, "organisation", "unknown organisation 'no-such-organisation'"


def malformed_date(data: Path) -> tuple[str, int, str | None, str]:
    line = _replace_yaml_value(data / "events.yaml", "dt-2nd-sofia-2017", "start", "'2017-13-07'")
    return "events.yaml", line, "start", "month 13"


def end_before_start(data: Path) -> tuple[str, int, str | None, str]:
    _set_cell(data / "memberships.csv", 2, "start", "2020-05")
    line = _set_cell(data / "memberships.csv", 2, "end", "2019")
    return "memberships.csv", line, "end", "ends (2019) before it starts"


def duplicate_identifier(data: Path) -> tuple[str, int, str | None, str]:
    path = data / "organisations.csv"
    rows = _rows(path)
    rows.append(list(rows[1]))
    _write_rows(path, rows)
    return "organisations.csv", _line_of_row(path, len(rows) - 1), "id", f"duplicate organisation id '{rows[1][0]}'"


def missing_source(data: Path) -> tuple[str, int, str | None, str]:
    line = _set_cell(data / "memberships.csv", 3, "sources", "")
    return "memberships.csv", line, "sources", "needs at least one entry"


def unknown_source(data: Path) -> tuple[str, int, str | None, str]:
    line = _set_cell(data / "organisations.csv", 2, "sources", "no-such-source")
    return "organisations.csv", line, "sources", "unknown source (not in sources.csv) 'no-such-source'"


def unknown_role(data: Path) -> tuple[str, int, str | None, str]:
    line = _set_cell(data / "memberships.csv", 4, "role", "cordinator")
    return "memberships.csv", line, "role", "unknown role 'cordinator'"


def unknown_theme(data: Path) -> tuple[str, int, str | None, str]:
    path = data / "partnerships.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = _yaml_line(path, "digital-transition", "themes") + 1
    assert lines[line - 1].strip() == "- digital-transition"
    lines[line - 1] = lines[line - 1].replace("digital-transition", "digital-transitions")
    path.write_text("".join(lines), encoding="utf-8")
    return "partnerships.yaml", line, "themes", "unknown theme 'digital-transitions' (expected one of"


def unknown_evidence(data: Path) -> tuple[str, int, str | None, str]:
    line = _set_cell(data / "memberships.csv", 5, "evidence", "rumour")
    return "memberships.csv", line, "evidence", "unknown evidence 'rumour'"


def bad_country_code(data: Path) -> tuple[str, int, str | None, str]:
    path = data / "organisations.csv"
    index = next(i for i, row in enumerate(_rows(path)) if i and row[_rows(path)[0].index("country")])
    line = _set_cell(path, index, "country", "Bulgaria")
    return "organisations.csv", line, "country", "'Bulgaria' is not an ISO 3166-1 alpha-2 code"


def unknown_country(data: Path) -> tuple[str, int, str | None, str]:
    path = data / "organisations.csv"
    index = next(i for i, row in enumerate(_rows(path)) if i and row[_rows(path)[0].index("country")])
    line = _set_cell(path, index, "country", "XK")
    return "organisations.csv", line, "country", "unknown country 'XK'"


def broken_yaml(data: Path) -> tuple[str, int, str | None, str]:
    path = data / "events.yaml"
    line = _yaml_line(path, "dt-2nd-sofia-2017", "title")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line - 1] = "  title: {en: [unclosed\n"
    path.write_text("".join(lines), encoding="utf-8")
    # The parser notices the missing bracket on the next line and names the line it opened on.
    return "events.yaml", line + 1, None, f"YAML syntax error: expected ',' or ']', but got ':' (while parsing a flow sequence that starts on line {line})"


def broken_csv_quote(data: Path) -> tuple[str, int, str | None, str]:
    path = data / "places.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\n") + ',"unterminated\n'
    path.write_text("".join(lines), encoding="utf-8")
    return "places.csv", 3, None, "is a quote left open?"


def invalid_utf8(data: Path) -> tuple[str, int, str | None, str]:
    path = data / "places.csv"
    raw = path.read_bytes().split(b"\n")
    raw[3] = raw[3].replace(b",", b"\xff,", 1)
    path.write_bytes(b"\n".join(raw))
    return "places.csv", 4, None, "invalid UTF-8"


def empty_required_field(data: Path) -> tuple[str, int, str | None, str]:
    line = _set_cell(data / "organisations.csv", 3, "name_en", "")
    return "organisations.csv", line, "name_en", "is required and empty"


def bad_slug(data: Path) -> tuple[str, int, str | None, str]:
    path = data / "sources.csv"
    rows = _rows(path)
    rows.append(["Not A Slug", "A page", "Someone", "2020", "https://example.org/page", "'A quote'", ""])
    _write_rows(path, rows)
    return "sources.csv", _line_of_row(path, len(rows) - 1), "id", "'Not A Slug' is not a slug"


def wrong_header(data: Path) -> tuple[str, int, str | None, str]:
    path = data / "people.csv"
    rows = _rows(path)
    rows[0][rows[0].index("office_en")] = "office"
    _write_rows(path, rows)
    return "people.csv", 1, None, "missing office_en"


def bad_url(data: Path) -> tuple[str, int, str | None, str]:
    line = _set_cell(data / "sources.csv", 2, "url", "ftp://example.org/x")
    return "sources.csv", line, "url", "is not an http(s) URL"


def malformed_organisation_qid(data: Path) -> tuple[str, int, str | None, str]:
    path = data / "organisations.csv"
    index = next(i for i, row in enumerate(_rows(path)) if row and row[0] == "european-commission")
    line = _set_cell(path, index, "wikidata", "Q8880x")
    return "organisations.csv", line, "wikidata", "'Q8880x' is not a Wikidata item id"


def malformed_corporate_body(data: Path) -> tuple[str, int, str | None, str]:
    path = data / "organisations.csv"
    index = next(i for i, row in enumerate(_rows(path)) if row and row[0] == "european-commission-dg-regio")
    line = _set_cell(path, index, "eu_corporate_body", "../REGIO")
    return "organisations.csv", line, "eu_corporate_body", "'../REGIO' is not a code of the EU corporate-body authority table"


MUTATIONS = [
    unknown_reference,
    malformed_date,
    end_before_start,
    duplicate_identifier,
    missing_source,
    unknown_source,
    unknown_role,
    unknown_theme,
    unknown_evidence,
    bad_country_code,
    unknown_country,
    broken_yaml,
    broken_csv_quote,
    invalid_utf8,
    empty_required_field,
    bad_slug,
    wrong_header,
    bad_url,
    malformed_organisation_qid,
    malformed_corporate_body,
]


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good build to prove that a failed one does not touch it."""
    out = tmp_path_factory.mktemp("good") / "build"
    assert main(["build", "--build", str(out)]) == 0
    return out


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.__name__ for m in MUTATIONS])
def test_bad_input_is_reported_precisely_and_loses_nothing(mutation: Mutation, workspace: Path, good_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file, line, field, words = mutation(workspace / "data")
    before = _snapshot(good_build)
    capsys.readouterr()

    code = main(["build", "--data", str(workspace / "data"), "--ontology", str(workspace / "ontology"), "--build", str(good_build)])

    err = capsys.readouterr().err
    assert code == 1
    errors = [e for e in err.splitlines() if e.startswith("error: ")]
    assert len(errors) == 1, err
    message = errors[0]
    assert f"data/{file}:{line}:" in message, message
    if field is not None:
        assert f"field '{field}'" in message, message
    assert words in message, message
    assert "previous build is untouched" in err
    assert _snapshot(good_build) == before


def test_validate_reports_the_same_problem_without_writing(workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    unknown_role(workspace / "data")
    code = main(["validate", "--data", str(workspace / "data"), "--ontology", str(workspace / "ontology")])
    assert code == 1
    assert "unknown role 'cordinator'" in capsys.readouterr().err


def test_several_problems_are_all_listed(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    unknown_role(workspace / "data")
    unknown_evidence(workspace / "data")
    empty_required_field(workspace / "data")
    code = main(["validate", "--data", str(workspace / "data"), "--ontology", str(workspace / "ontology")])
    errors = [e for e in capsys.readouterr().err.splitlines() if e.startswith("error: ")]
    assert code == 1
    assert len(errors) == 3


@pytest.mark.parametrize("workers", [1, 2])
def test_a_build_that_fails_shacl_while_writing_its_dumps_publishes_nothing(
    workers: int, workspace: Path, good_build: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two workers the shapes are validated in children while the dumps are written: a
    violation still stops the build, the dumps are thrown away and no child is left behind."""
    import multiprocessing

    import graph.builder.shacl

    monkeypatch.setattr(graph.builder.shacl, "default_workers", lambda: workers)
    vocab = workspace / "ontology" / "vocab" / "role.ttl"
    text = vocab.read_text(encoding="utf-8")
    vocab.write_text(text.replace('"Coordinator"@en , "Координатор"@bg', '"Coordinator"@en'), encoding="utf-8")
    before = _snapshot(good_build)
    capsys.readouterr()
    code = main(["build", "--data", str(workspace / "data"), "--ontology", str(workspace / "ontology"), "--build", str(good_build)])
    err = capsys.readouterr().err
    assert code == 1
    assert "SHACL" in err and "vocab/role/" in err and "previous build is untouched" in err
    assert _snapshot(good_build) == before
    assert multiprocessing.active_children() == []


def test_shacl_catches_what_slips_past_the_checks(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A concept without its Bulgarian label breaks a SHACL shape; the error names the node."""
    vocab = workspace / "ontology" / "vocab" / "role.ttl"
    text = vocab.read_text(encoding="utf-8")
    broken = text.replace('"Coordinator"@en , "Координатор"@bg', '"Coordinator"@en')
    assert broken != text
    vocab.write_text(broken, encoding="utf-8")
    code = main(["validate", "--data", str(workspace / "data"), "--ontology", str(workspace / "ontology")])
    err = capsys.readouterr().err
    assert code == 1
    assert "SHACL" in err
    assert "vocab/role/" in err
