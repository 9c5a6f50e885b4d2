"""Identifiers of the EU institutions, DGs and bodies (issue 13): a corporate-body code read from the
Publications Office's own authority table, a Wikidata QID only where two datasets state it, both in
the graph as schema:sameAs, and every body left without one reported with its reason."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from graph.builder.coverage import identifier_status
from graph.builder.pipeline import Built
from graph.config import PROJECT_ROOT
from graph.vocabulary import EU_BODY_KINDS
from tests.conftest import ID, select
from webapp.cli import main

AUTHORITY = "http://publications.europa.eu/resource/authority/corporate-body/"
WIKIDATA = "http://www.wikidata.org/entity/"
TABLE = "ds-po-corporate-bodies"
SAME_AS = "SELECT DISTINCT ?org ?o WHERE { ?org a <http://www.w3.org/ns/org#Organization> ; <https://schema.org/sameAs> ?o }"


def _eu_bodies(built: Built) -> dict[str, dict[str, str]]:
    return {i: r.values for i, r in built.data.organisations.items() if r.get("kind") in EU_BODY_KINDS}


def test_the_eu_bodies_are_the_nineteen_of_the_data(built: Built) -> None:
    bodies = _eu_bodies(built)
    assert len(bodies) == 19
    assert {"european-commission", "european-commission-dg-regio", "european-investment-bank", "european-environment-agency"} <= set(bodies)


def test_every_code_is_read_from_the_authority_table(built: Built) -> None:
    """The table's quote holds the IRI with the body's English label; the table is a cited source of the body."""
    quote = built.data.sources[TABLE].get("evidence")
    coded = {i: r for i, r in _eu_bodies(built).items() if r.get("eu_corporate_body")}
    assert len(coded) == 17
    for ident, record in coded.items():
        code = record["eu_corporate_body"]
        assert TABLE in record["sources"], ident
        assert re.search(rf'corporate-body/{re.escape(code)}" }}, "label" : {{ "type": "literal", "value": "[^"]+" }}', quote), (
            f"{ident}: {code} is not in the table's quote"
        )
    assert {r["eu_corporate_body"] for r in coded.values()} >= {"COM", "REGIO", "JRC", "COR", "EIB", "EEA"}
    assert len({r["eu_corporate_body"] for r in coded.values()}) == len(coded), "two bodies share a code"


def test_a_qid_is_stated_by_two_datasets(built: Built) -> None:
    with_qid = {i: r for i, r in _eu_bodies(built).items() if r.get("wikidata")}
    assert {i: r["wikidata"] for i, r in with_qid.items()} == {
        "european-commission": "Q8880",
        "european-committee-of-the-regions": "Q205203",
        "european-investment-bank": "Q192247",
    }
    for ident, record in with_qid.items():
        naming = [s for s in record["sources"] if re.search(rf"\b{record['wikidata']}\b", built.data.sources[s].get("evidence"))]
        assert len(naming) >= 2, f"{ident}: {record['wikidata']} is named by {naming} only; a QID needs two datasets that state it"
    # one dataset only: not taken
    eea = built.data.organisations["european-environment-agency"]
    assert eea.get("wikidata") == "" and "Q632988" in eea.get("note")


def test_the_graph_holds_exactly_the_verified_identifiers(built: Built, store: ox.Store) -> None:
    """Every organisation's schema:sameAs links are the ones its row states: none lost, none invented."""
    found: dict[str, set[str]] = {}
    for row in select(store, SAME_AS):
        found.setdefault(row["org"].removeprefix(ID + "organisation/"), set()).add(row["o"])
    expected: dict[str, set[str]] = {}
    for ident, record in built.data.organisations.items():
        if record.get("wikidata"):
            expected.setdefault(ident, set()).add(WIKIDATA + record.get("wikidata"))
        if record.get("eu_corporate_body"):
            expected.setdefault(ident, set()).add(AUTHORITY + record.get("eu_corporate_body"))
    assert found == expected
    assert len(expected) == 17
    assert found["european-commission"] == {WIKIDATA + "Q8880", AUTHORITY + "COM"}
    assert found["european-commission-dg-regio"] == {AUTHORITY + "REGIO"}


def test_the_bodies_left_empty_are_reported_with_a_reason(built: Built) -> None:
    status = identifier_status(built.data)
    assert status["eu_bodies"] == 19
    assert status["eu_bodies_without_authority_iri"] == ["european-commission-dg-grow", "european-innovation-council"]
    assert len(status["eu_bodies_without_wikidata"]) == 16
    assert any(n.startswith("2 EU bodies have no verified EU corporate-body IRI") for n in built.report["notes"])
    assert any(n.startswith("16 EU bodies have no verified Wikidata identifier") for n in built.report["notes"])
    for ident in status["eu_bodies_without_authority_iri"]:
        assert "corporate-body code left empty" in built.data.organisations[ident].get("note"), ident
    for ident in status["eu_bodies_without_wikidata"]:
        assert "Wikidata left empty" in built.data.organisations[ident].get("note"), ident
    readme = (PROJECT_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for name in ("DG GROW", "European Innovation Council", "European Environment Agency", "the 13 DGs and the JRC"):
        assert name in readme, name


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def test_the_organisation_page_links_to_both_identifiers(client: FlaskClient) -> None:
    response = client.get("/doc/organisation/european-commission", headers={"Accept": "text/html"})
    assert response.status_code == 200
    parser = _Links()
    parser.feed(response.get_data(as_text=True))
    assert WIKIDATA + "Q8880" in parser.hrefs
    assert AUTHORITY + "COM" in parser.hrefs


# ---------------------------------------------------------------- malformed identifiers


def _set_org_cell(data: Path, ident: str, column: str, value: str) -> int:
    """Put `value` in one cell of organisations.csv; the line the row starts on."""
    path = data / "organisations.csv"
    text = path.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, lines, start = [], [], 1
    for row in reader:
        rows.append(row)
        lines.append(start)
        start = reader.line_num + 1
    index = next(i for i, row in enumerate(rows) if row and row[0] == ident)
    rows[index][rows[0].index(column)] = value
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return lines[index]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("wikidata", "Q08880"),
        ("wikidata", "8880"),
        ("wikidata", "q8880"),
        ("wikidata", "http://www.wikidata.org/entity/Q8880"),
        ("eu_corporate_body", "com"),
        ("eu_corporate_body", "corporate-body/COM"),
        ("eu_corporate_body", "../COM"),
        ("eu_corporate_body", "COM REGIO"),
        ("eu_corporate_body", "COM__X"),
        ("eu_corporate_body", "C" * 41),
    ],
)
def test_a_malformed_identifier_names_file_line_and_field(workspace: Path, capsys: pytest.CaptureFixture[str], column: str, value: str) -> None:
    line = _set_org_cell(workspace / "data", "european-commission", column, value)
    code = main(["validate", "--data", str(workspace / "data"), "--ontology", str(workspace / "ontology")])
    errors = [e for e in capsys.readouterr().err.splitlines() if e.startswith("error: ")]
    assert code == 1
    assert len(errors) == 1, errors
    assert f"data/organisations.csv:{line}:" in errors[0] and f"field '{column}'" in errors[0], errors[0]
    assert "is not a Wikidata item id" in errors[0] if column == "wikidata" else "is not a code of the EU corporate-body authority table" in errors[0]


def test_codes_of_every_form_in_the_table_are_accepted(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Codes with digits, `_` and `-` segments (EP_COMMU, ACP-EU_JA in the table) pass the check."""
    _set_org_cell(workspace / "data", "espon", "eu_corporate_body", "ACP-EU_JA")
    _set_org_cell(workspace / "data", "european-urban-initiative", "eu_corporate_body", "EP_COMMU2")
    assert main(["validate", "--data", str(workspace / "data"), "--ontology", str(workspace / "ontology")]) == 0
    capsys.readouterr()
