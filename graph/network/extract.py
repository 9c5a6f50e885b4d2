"""Read the facts the partner network needs out of a store, through the named queries in graph/queries/network/.

The network reads the store (not data/), so the same code serves the embedded store and a remote
SPARQL server. Three small SELECTs are run once per data load; everything after that is Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph.config import DEFAULT_BASE
from graph.dates import Span, earliest, latest, membership_span
from graph.queries import folder
from graph.store import GraphStore, Row
from graph.vocabulary import evidence_rank


def merge_spans(spans: list[Span]) -> list[Span]:
    """Union of spans as disjoint, sorted spans (so a node's spells do not repeat)."""
    ordered = sorted(spans, key=lambda s: (s.start or dt.date.min, s.end or dt.date.max))
    merged: list[Span] = []
    for span in ordered:
        if merged:
            last = merged[-1]
            if last.end is None or span.start is None or span.start <= last.end + dt.timedelta(days=1):
                end = None if last.end is None or span.end is None else max(last.end, span.end)
                merged[-1] = Span(last.start, end)
                continue
        merged.append(span)
    return merged


@dataclass(frozen=True)
class Partnership:
    iri: str
    label: str
    short_label: str
    themes: tuple[str, ...]
    start: str
    end: str

    @property
    def span(self) -> Span:
        return Span(earliest(self.start), latest(self.end))


@dataclass(frozen=True)
class Organisation:
    iri: str
    label: str
    partner_type: str
    country: str
    country_code: str
    country_label: str
    city: str


@dataclass(frozen=True)
class Membership:
    """One org:Membership; `span` falls back to the partnership's period where the membership has no dates."""

    iri: str
    partnership: str
    organisation: str
    role: str
    evidence: str
    start: str
    end: str
    sources: tuple[str, ...]
    span: Span
    #: where the dates came from: 'membership', 'partnership', 'membership and partnership' or 'none'
    dated_by: str


@dataclass(frozen=True, eq=False)
class NetworkData:
    """Everything the network needs, read once per data load (hashable by identity, so it can key caches)."""

    partnerships: dict[str, Partnership]
    organisations: dict[str, Organisation]
    memberships: tuple[Membership, ...]
    release: str
    base: str


def _value(row: Row, name: str) -> str:
    term = row.get(name)
    return term.value if term is not None else ""


def _select(store: GraphStore, name: str, lang: str) -> list[Row]:
    query = folder("network")[name]
    return store.select(query.text, query.bindings({"lang": ox.Literal(lang)}))


def load_network_data(store: GraphStore, base: str = DEFAULT_BASE, release: str = "", lang: str = "en") -> NetworkData:
    """Run the three network queries and keep their rows as plain records (`base`: the data's base IRI, kept in the meta)."""
    partnerships = {}
    for row in _select(store, "partnerships", lang):
        iri = _value(row, "partnership")
        themes = tuple(sorted(t for t in _value(row, "themes").split() if t))
        label = _value(row, "label") or iri.rsplit("/", 1)[-1]
        partnerships[iri] = Partnership(iri, label, _value(row, "shortLabel") or label, themes, _value(row, "start"), _value(row, "end"))
    organisations = {}
    for row in _select(store, "organisations", lang):
        iri = _value(row, "organisation")
        organisations[iri] = Organisation(
            iri,
            _value(row, "label") or iri.rsplit("/", 1)[-1],
            _value(row, "partnerType"),
            _value(row, "countryIri"),
            _value(row, "countryCode"),
            _value(row, "countryLabel"),
            _value(row, "placeLabel"),
        )
    memberships = []
    for row in _select(store, "memberships", lang):
        partnership, start, end = _value(row, "partnership"), _value(row, "start"), _value(row, "end")
        known = partnerships.get(partnership)
        span, dated_by = membership_span(start, end, known.start if known else None, known.end if known else None)
        memberships.append(
            Membership(
                _value(row, "membership"),
                partnership,
                _value(row, "organisation"),
                _value(row, "role"),
                _value(row, "evidence") or "stated",
                start,
                end,
                tuple(sorted(_value(row, "sources").split())),
                span,
                dated_by,
            )
        )
    return NetworkData(partnerships, organisations, tuple(memberships), release, base)


def describe(data: NetworkData) -> dict[str, Any]:
    """The values each filter accepts, for error messages and for a web form."""
    return {
        "roles": sorted({m.role for m in data.memberships}),
        "evidence": sorted({m.evidence for m in data.memberships}, key=evidence_rank),
        "partner_types": sorted({o.partner_type for o in data.organisations.values() if o.partner_type}),
        "themes": sorted({t for p in data.partnerships.values() for t in p.themes}),
        "partnerships": sorted(p.rsplit("/", 1)[-1] for p in data.partnerships),
        "countries": sorted({o.country_code for o in data.organisations.values() if o.country_code}),
    }
