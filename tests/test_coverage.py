"""Coverage of the member lists: one generator for the README, the build report and the CLI,
the stated size published as a typed number, and no member without a source."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.builder.coverage import coverage_markdown, coverage_rows
from graph.builder.pipeline import Built
from graph.config import PROJECT_ROOT
from tests.conftest import ID, select
from webapp.cli import main

XSD_NNI = "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"


def _readme_block() -> str:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- coverage:start -->\n(.*?)<!-- coverage:end -->", text, re.S)
    assert found, "README.md needs the generated block between <!-- coverage:start --> and <!-- coverage:end -->"
    return found.group(1)


def test_readme_shows_exactly_what_the_generator_prints(built: Built, capsys: pytest.CaptureFixture[str]) -> None:
    expected = coverage_markdown(coverage_rows(built.data))
    assert _readme_block() == expected, "README coverage table is stale: paste the output of `uaeu report --coverage`"
    assert main(["report", "--coverage"]) == 0
    assert capsys.readouterr().out == expected


def test_build_report_carries_the_same_table(built: Built, release_dir: Path) -> None:
    report = (release_dir / "report.md").read_text(encoding="utf-8")
    assert "## Coverage of the member lists" in report
    assert coverage_markdown(built.report["coverage"]) in report
    assert built.report["coverage"] == coverage_rows(built.data)


def test_rows_count_known_members_against_the_stated_size(built: Built) -> None:
    rows = {r["id"]: r for r in built.report["coverage"]}
    assert len(rows) == 20
    greening = rows["greening-cities"]
    assert greening["stated_size"] == 30 and not greening["approximate"]
    assert greening["known"] >= 4  # the two coordinators, Pontevedra and the Mazowieckie voivodeship
    dt = rows["digital-transition"]
    assert dt["stated_size"] == 20 and dt["approximate"]
    assert dt["known"] >= 11
    assert rows["water-sensitive-city"]["stated_size"] is None  # no source gives the selected number
    for row in rows.values():
        if row["stated_size"] is not None:
            assert row["sources"], f"{row['id']}: a stated size needs its sources"
            assert row["share"] == round(100 * row["known"] / row["stated_size"])


def test_stated_size_is_a_typed_number_in_rdf(store: ox.Store, built: Built, release_dir: Path) -> None:
    dump = (release_dir / "dumps" / "uaeu.nt").read_text(encoding="utf-8")
    assert f'<{ID}partnership/greening-cities> <https://w3id.org/uaeu/ontology#statedMemberTotal> "30"^^<{XSD_NNI}> .' in dump
    rows = select(
        store,
        """PREFIX uaeu: <https://w3id.org/uaeu/ontology#>
        SELECT ?total (DATATYPE(?total) AS ?type) WHERE { <id/partnership/greening-cities> uaeu:statedMemberTotal ?total }""",
    )
    # Oxigraph reports xsd:nonNegativeInteger as its base type xsd:integer; the dump above keeps the declared type.
    assert rows == [{"total": "30", "type": XSD_NNI}] or rows == [{"total": "30", "type": "http://www.w3.org/2001/XMLSchema#integer"}]
    # "How complete is this list?" answered in SPARQL: members named against the stated total.
    completeness = select(
        store,
        """PREFIX uaeu: <https://w3id.org/uaeu/ontology#>
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?total (COUNT(DISTINCT ?m) AS ?known) WHERE {
          <id/partnership/culture-cultural-heritage> uaeu:statedMemberTotal ?total ; org:hasMember ?m } GROUP BY ?total""",
    )
    assert completeness[0]["total"] == "30" and int(completeness[0]["known"]) >= 20


def test_every_member_has_a_source_with_an_address(built: Built) -> None:
    for ident, membership in built.data.memberships.items():
        sources = membership.get("sources")
        assert sources, ident
        for source in sources:
            assert built.data.sources[source].get("url").startswith(("http://", "https://")), (ident, source)


def test_members_added_for_issue_7_say_what_their_page_says(built: Built) -> None:
    """The additions of this round: each names its page, and its note quotes or paraphrases it."""
    added = {
        "urban-mobility--torres-vedras-city": "cm-tvedras-2017",
        "urban-mobility--nijmegen-city": "vng-four-last-partnerships",
        "greening-cities--marshals-office-mazowieckie-2": "eto-mazovia-gc",
    }
    for ident, source in added.items():
        membership = built.data.memberships[ident]
        assert membership.get("evidence") == "stated" and source in membership.get("sources")
        assert membership.get("note"), ident
        assert built.data.sources[source].get("evidence"), source


def test_a_count_that_is_not_a_number_is_refused(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = workspace / "data" / "partnerships.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    count: 30\n" in text
    path.write_text(text.replace("    count: 30\n", "    count: thirty\n", 1), encoding="utf-8")
    code = main(["validate", "--data", str(workspace / "data"), "--ontology", str(workspace / "ontology")])
    err = capsys.readouterr().err
    assert code == 1
    assert "stated_member_count.count" in err and "'thirty' is not a whole number" in err
