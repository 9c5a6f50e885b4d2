"""The map's data: partner places, from two named queries (`graph/queries/map/`), filtered in Python.

`load_map_data` runs the two queries over the whole graph once per language; whoever keeps the
result (the web app, for the life of its pinned release) answers every request by filtering it:
by partnership, country, date and evidence (`MapFilter`, `build_map`). The date filter is the
network's: a membership counts on a date when its period may include that date, a bound the
membership lacks taken from its partnership's lifetime (`graph.dates.membership_span`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.dates import DateFormatError, Span, earliest_and_latest, membership_span
from graph.map.shapes import country_point, numeric_codes
from graph.namespaces import COUNTRY
from graph.queries import folder
from graph.store import GraphStore, Row
from graph.vocabulary import EVIDENCE_ORDER, NATIONAL_KINDS

#: Role colours on the map: the coordinators, the members, everyone else (observers, hosts, experts ...).
ROLE_CLASSES = ("coordinator", "member", "other")
ROLE_CLASS_LABELS = {
    "en": {"coordinator": "Coordinator", "member": "Member", "other": "Other role (observer, host, expert ...)"},
    "bg": {"coordinator": "Координатор", "member": "Член", "other": "Друга роля (наблюдател, домакин, експерт ...)"},
}
LANGS = ("en", "bg")
FIRST_YEAR = 2016  # the Pact of Amsterdam: the date slider starts here
PARAMETERS = {"partnership", "country", "as-of", "as_of", "evidence", "lang"}
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
#: Where a map entry links to: (IRI, language) -> a URL, or None for no link.
Linker = Callable[[str, str], str | None]


class MapParameterError(ValueError):
    """A query-string value the map does not understand (answered with 400 and this message)."""


class MapNotFound(LookupError):
    """A partnership or country that is not in the graph (answered with 404)."""


def map_queries() -> dict[str, Any]:
    """The map's named queries (two, whatever the size of the graph)."""
    return folder("map")


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
    """One membership and the period it may cover (`span`: a bound it lacks taken from its partnership)."""

    iri: str
    partnership: str
    partnership_label: str
    organisation: str
    role: str
    role_label: str
    evidence: str
    start: str | None
    end: str | None
    span: Span
    dated_by: str


@dataclass
class MapData:
    organisations: dict[str, MapOrganisation] = field(default_factory=dict)
    memberships: list[MapMembership] = field(default_factory=list)
    partnerships: dict[str, str] = field(default_factory=dict)  # iri -> label
    countries: dict[str, tuple[str, str]] = field(default_factory=dict)  # iri -> (alpha-2, label)


def _text(row: Row, *names: str) -> str | None:
    for name in names:
        term = row.get(name)
        if term is not None:
            return str(term.value)
    return None


def _run(store: GraphStore, name: str, lang: str) -> list[Row]:
    query = map_queries()[name]
    return store.select(query.text, query.bindings({"lang": ox.Literal(lang)}))


def load_map_data(store: GraphStore, lang: str) -> MapData:
    """Everything the map needs, from the two named map queries (whatever the size of the graph)."""
    data = MapData()
    for row in _run(store, "organisations", lang):
        iri = row["org"].value
        org = data.organisations.get(iri)
        if org is None:
            org = data.organisations[iri] = MapOrganisation(iri, _text(row, "orgLabel", "orgLabelEn") or iri.rsplit("/", 1)[-1], _text(row, "kind") or "other")
        lat, lon = _text(row, "lat"), _text(row, "lon")
        # One place per organisation: the first with coordinates (ORDER BY makes 'first' stable).
        if row.get("place") is not None and (org.place is None or (org.lat is None and lat is not None)):
            org.place, org.place_label = row["place"].value, _text(row, "placeLabel", "placeLabelEn")
            org.place_type = "region" if row["placeType"].value.endswith("AdministrativeArea") else "city"
            org.lat, org.lon = (float(lat), float(lon)) if lat is not None and lon is not None else (None, None)
        if row.get("country") is not None and org.country is None:
            org.country, org.country_code = row["country"].value, _text(row, "countryCode")
            org.country_label = _text(row, "countryLabel", "countryLabelEn") or org.country_code
            data.countries[org.country] = (org.country_code or "", org.country_label or "")
    partnerships: dict[str, tuple[str | None, str | None]] = {}
    for row in _run(store, "memberships", lang):
        partnership = row["partnership"].value
        data.partnerships[partnership] = _text(row, "partnershipLabel", "partnershipLabelEn") or partnership.rsplit("/", 1)[-1]
        partnerships[partnership] = (_text(row, "partnershipStart"), _text(row, "partnershipEnd"))
        start, end = _text(row, "start"), _text(row, "end")
        span, dated_by = membership_span(start, end, *partnerships[partnership])
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
                span=span,
                dated_by=dated_by,
            )
        )
    return data


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


def build_map(data: MapData, options: MapFilter, base: str, local_url: Linker) -> dict[str, Any]:
    """The places to draw, each with its organisations, their roles and periods; and the unplaced.

    `local_url(iri, lang)` says where each entry links (the web app's pages).
    """
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
        if options.as_of and not m.span.overlaps(low, high):
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
