"""The data lint (graph.builder.datalint) and the quote rule: each rule fails on a copy of data/ with one thing
broken, says where (data/FILE:LINE: field), and the real data holds no finding but the documented ones."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from graph.builder.datalint import RULES, lint, normalise, without_lines
from graph.builder.model import load_model
from graph.builder.pipeline import Built
from graph.config import PROJECT_ROOT, Settings
from webapp.cli import main

Rows = list[dict[str, str]]


def _read(path: Path) -> tuple[list[str], Rows]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _write(path: Path, header: list[str], rows: Rows) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([row[name] for name in header] for row in rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _line(path: Path, pattern: str) -> int:
    """1-based line of the first line matching `pattern` (a regular expression)."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if re.search(pattern, text):
            return number
    raise AssertionError(f"{pattern!r} not in {path}")


def _validate(workspace: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["validate", "--data", str(workspace / "data"), "--ontology", str(workspace / "ontology")])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _findings(text: str, kind: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(f"{kind}: ")]


def _append(path: Path, text: str) -> int:
    """Append YAML (or CSV) text to a file; returns the line its first line lands on."""
    old = path.read_text(encoding="utf-8")
    if not old.endswith("\n"):
        old += "\n"
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


def test_normalise_folds_case_accents_and_punctuation() -> None:
    assert normalise("Malmö") == normalise("MALMO") == "malmo"
    assert normalise("Łódź") == "lodz"
    assert normalise("EUROCITIES ") == normalise("Eurocities")
    assert normalise("Marshal's Office — Mazowieckie") == "marshal s office mazowieckie"
    assert normalise("Столична община") == "столична община"


def test_every_rule_has_a_level() -> None:
    assert set(RULES) == {"duplicate-event", "two-spellings", "lifetime", "quote-mention", "vocabulary-label", "unquoted-source"}
    assert set(RULES.values()) <= {"error", "warning"}


# -- duplicate-event ---------------------------------------------------------------------------


SECOND_SOFIA_MEETING = """- id: lint-sofia-meeting-again
  partnership: digital-transition
  type: partnership-meeting
  title:
    en: Working meeting of the Digital Transition partnership in Sofia
  start: '2017-06-08'
  date_certainty: stated
  place: sofia
  sources:
  - sda-946-sofia-meeting
"""


def test_the_same_event_twice_is_a_warning_with_both_places(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = workspace / "data" / "events.yaml"
    line = _append(events, SECOND_SOFIA_MEETING)
    first = _line(events, r"^- id: dt-2nd-sofia-2017$")
    code, out, _ = _validate(workspace, capsys)
    assert code == 0  # a warning does not fail the build
    found = [w for w in _findings(out, "warning") if f"events.yaml:{line}:" in w and "'dt-2nd-sofia-2017'" in w]
    assert len(found) == 1, out
    assert f"data/events.yaml:{line}: field 'id': may be the same event as 'dt-2nd-sofia-2017' (" in found[0]
    assert f"events.yaml:{first})" in found[0]
    assert "same partnership 'digital-transition'" in found[0]


def test_events_said_to_differ_are_not_flagged(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = workspace / "data" / "events.yaml"
    line = _append(events, SECOND_SOFIA_MEETING + "  note: 'Not the same as dt-2nd-sofia-2017: a second meeting on the same days.'\n")
    code, out, _ = _validate(workspace, capsys)
    assert code == 0
    assert not [w for w in _findings(out, "warning") if f"events.yaml:{line}:" in w and "'dt-2nd-sofia-2017'" in w]


def test_workshops_of_two_partnerships_on_one_day_are_not_the_same_event(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """cch-ewrc-2019 and sps-ewrc-2019: both workshops in Brussels on 9 October 2019, of different partnerships."""
    code, out, _ = _validate(workspace, capsys)
    assert code == 0
    assert not [w for w in _findings(out, "warning") if "ewrc-2019" in w]


# -- two-spellings -----------------------------------------------------------------------------


def _add_organisation(workspace: Path, **values: str) -> int:
    path = workspace / "data" / "organisations.csv"
    header, rows = _read(path)
    row = dict.fromkeys(header, "")
    row.update({"kind": "umbrella-organisation", "sources": "eurocities-wg-ua"}, **values)
    _write(path, header, [*rows, row])
    return len(path.read_text(encoding="utf-8").splitlines())


def test_one_body_under_two_spellings_fails_the_build(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _add_organisation(workspace, id="eurocities-network", name_en="EUROCITIES")
    first = _line(workspace / "data" / "organisations.csv", r"^eurocities,")
    code, _, err = _validate(workspace, capsys)
    assert code == 1
    errors = _findings(err, "error")
    assert len(errors) == 1, err
    assert f"data/organisations.csv:{line}: field 'name_en': 'EUROCITIES' is also a name of organisation 'eurocities' ('Eurocities', " in errors[0]
    assert f"organisations.csv:{first})" in errors[0]


def test_an_alias_that_is_another_bodys_name_fails_too(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _add_organisation(workspace, id="city-network-x", name_en="A network of cities", aliases="Network X; Eurocities")
    code, _, err = _validate(workspace, capsys)
    assert code == 1
    assert f"organisations.csv:{line}: field 'aliases': 'Eurocities' is also a name of organisation 'eurocities'" in err


def test_two_bodies_said_to_differ_may_share_a_name(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _add_organisation(workspace, id="eurocities-network", name_en="EUROCITIES", note="Not the same as eurocities: a test of the escape.")
    code, _, err = _validate(workspace, capsys)
    assert code == 0, err


# -- lifetime (the check of graph.builder.curated, reused) ---------------------------------------------


def test_a_membership_outside_its_partnership_is_one_error_not_two(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workspace / "data" / "memberships.csv"
    header, rows = _read(path)
    index = next(i for i, r in enumerate(rows) if r["partnership"] == "digital-transition" and r["organisation"] == "oulu-city")
    rows[index]["start"] = "2015"
    _write(path, header, rows)
    line = _line(path, rf"^{rows[index]['id']},")
    code, _, err = _validate(workspace, capsys)
    assert code == 1
    errors = _findings(err, "error")
    assert len(errors) == 1, err
    assert f"data/memberships.csv:{line}: field 'start': 2015 is before partnership 'digital-transition' started" in errors[0]


# -- quote-mention -----------------------------------------------------------------------------


def _set_evidence(workspace: Path, source: str, evidence: str) -> None:
    path = workspace / "data" / "sources.csv"
    header, rows = _read(path)
    for row in rows:
        if row["id"] == source:
            row["evidence"] = evidence
    _write(path, header, rows)


def test_a_source_whose_quote_does_not_name_the_member_is_a_warning(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _set_evidence(workspace, "visitsofia-2168", "'Sofia is one of the coordinators of the partnership, with the City of Oulu.'")
    code, out, _ = _validate(workspace, capsys)
    assert code == 0
    members = workspace / "data" / "memberships.csv"
    line = _line(members, r"^digital-transition--estonia-national-authorities,")
    found = [w for w in _findings(out, "warning") if "'visitsofia-2168'" in w]
    assert f"data/memberships.csv:{line}: field 'sources': the quote of source 'visitsofia-2168' (" in "\n".join(found)
    assert "does not name organisation 'Estonia (national authorities)'" in "\n".join(found)
    assert not [w for w in found if "'City of Oulu'" in w or "'Sofia Municipality'" in w]  # named: Oulu by name, Sofia by its city


def test_an_alias_lets_the_quote_name_the_body_in_the_pages_spelling(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _set_evidence(workspace, "visitsofia-2168", "'Sofia coordinates the partnership together with Eesti and Oulu.'")
    path = workspace / "data" / "organisations.csv"
    header, rows = _read(path)
    for row in rows:
        if row["id"] == "estonia-national-authorities":
            row["aliases"] = "Eesti"
    _write(path, header, rows)
    code, out, _ = _validate(workspace, capsys)
    assert code == 0
    assert not [w for w in _findings(out, "warning") if "'visitsofia-2168'" in w]


# -- vocabulary-label --------------------------------------------------------------------------


def test_a_partnership_named_unlike_its_theme_is_a_warning(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workspace / "data" / "partnerships.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  short_name:\n    en: Food\n    bg: Храни\n" in text
    path.write_text(text.replace("  short_name:\n    en: Food\n    bg: Храни\n", "  short_name:\n    en: Food\n    bg: Храна\n", 1), encoding="utf-8")
    line = _line(path, r"^    bg: Храна$") - 2
    code, out, _ = _validate(workspace, capsys)
    assert code == 0
    found = [w for w in _findings(out, "warning") if "Храна" in w]
    assert any(
        f"data/partnerships.yaml:{line}: field 'short_name.bg': 'Храна' is not a label of its theme in the vocabulary (food: 'Храни'" in w for w in found
    )
    assert any("field 'name.bg': 'Партньорство „Храни“' does not contain the short name 'Храна'" in w for w in found)


# -- the quote rule (graph.builder.curated) ------------------------------------------------------------


def test_a_source_without_its_quote_fails_the_build(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _set_evidence(workspace, "visitsofia-2168", "  ")
    line = _line(workspace / "data" / "sources.csv", r"^visitsofia-2168,")
    code, _, err = _validate(workspace, capsys)
    assert code == 1
    assert f"data/sources.csv:{line}: field 'evidence': is required and empty" in err


def test_every_source_carries_its_quote(built: Built) -> None:
    assert all(source.get("evidence") for source in built.data.sources.values())


def test_a_source_not_quoted_yet_is_a_warning_and_its_records_are_not_checked(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _set_evidence(workspace, "visitsofia-2168", "Not quoted: the stored copy was not found.")
    line = _line(workspace / "data" / "sources.csv", r"^visitsofia-2168,")
    code, out, _ = _validate(workspace, capsys)
    assert code == 0
    found = [w for w in _findings(out, "warning") if "visitsofia-2168" in w]
    assert len(found) == 1, found
    assert f"data/sources.csv:{line}: field 'evidence': the page of source 'visitsofia-2168' is not quoted yet" in found[0]


# -- the real data -----------------------------------------------------------------------------


def _documented() -> list[str]:
    text = (PROJECT_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- lint:start -->\n(.*?)<!-- lint:end -->", text, re.S)
    assert found, "data/README.md needs the list of accepted lint warnings between <!-- lint:start --> and <!-- lint:end -->"
    return [line[2:] for line in found.group(1).splitlines() if line.startswith("- ")]


def test_the_real_data_has_no_lint_error_and_only_the_documented_warnings(built: Built) -> None:
    settings = Settings()
    findings = lint(built.data, load_model(settings.ontology_dir, settings.base, PROJECT_ROOT), settings.base)
    assert not [f for f in findings if f.level == "error"]
    found = sorted(without_lines(f) for f in findings)
    assert found == sorted(_documented()), "data/README.md's accepted lint warnings are stale: paste `uaeu lint --accepted`"
    assert [str(f) for f in findings if f.level == "warning"] == built.lint_warnings
    assert set(built.lint_warnings) <= set(built.report["warnings"])


def test_uaeu_lint_prints_the_accepted_list_as_data_readme_keeps_it(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", "--accepted"])
    printed = sorted(line[2:] for line in capsys.readouterr().out.splitlines() if line.startswith("- "))
    assert code == 0
    assert printed == sorted(_documented())
