"""Read the facts the partner network needs out of a store, through the named queries in graph/queries/network/.

The network reads the store (not data/), so the same code serves the embedded store and a remote
SPARQL server. Three small SELECTs are run once per data load; everything after that is Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.config import DEFAULT_BASE
from graph.dates import DateFormatError, earliest_and_latest
from graph.queries import NamedQuery

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries" / "network"

#: Evidence from strongest to weakest; an edge is as strong as the weaker of its two memberships.
EVIDENCE_ORDER = ("stated", "general-statement", "inferred", "unconfirmed", "disputed")


def evidence_rank(evidence: str) -> int:
    """Position in EVIDENCE_ORDER (unknown evidence counts as weakest)."""
    return EVIDENCE_ORDER.index(evidence) if evidence in EVIDENCE_ORDER else len(EVIDENCE_ORDER)


@dataclass(frozen=True)
class Span:
    """A period as the first and last day it can cover; None means open (unknown or ongoing)."""

    start: dt.date | None
    end: dt.date | None

    def overlaps(self, low: dt.date | None, high: dt.date | None) -> bool:
        """True when the span may touch [low, high] (partial dates count in their widest reading)."""
        return (self.start is None or high is None or self.start <= high) and (self.end is None or low is None or self.end >= low)

    def intersect(self, other: Span) -> Span | None:
        """The common part of two spans, or None when they are disjoint."""
        starts = [d for d in (self.start, other.start) if d is not None]
        ends = [d for d in (self.end, other.end) if d is not None]
        start, end = (max(starts) if starts else None), (min(ends) if ends else None)
        if start is not None and end is not None and end < start:
            return None
        return Span(start, end)

    def as_spell(self) -> tuple[str | None, str | None]:
        """A GEXF spell: ISO days, None for an open side."""
        return (self.start.isoformat() if self.start else None, self.end.isoformat() if self.end else None)


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


def _earliest(text: str) -> dt.date | None:
    try:
        return earliest_and_latest(text)[0] if text else None
    except DateFormatError:
        return None


def _latest(text: str) -> dt.date | None:
    try:
        return earliest_and_latest(text)[1] if text else None
    except DateFormatError:
        return None


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
        return Span(_earliest(self.start), _latest(self.end))


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


def _value(solution: ox.QuerySolution, name: str) -> str:
    term = solution[name]
    return term.value if term is not None else ""


def _select(store: ox.Store, name: str, base: str, lang: str) -> list[ox.QuerySolution]:
    query = NamedQuery.load(QUERY_DIR / f"{name}.rq")
    result = store.query(query.text, base_iri=base, substitutions=query.substitutions({"lang": ox.Literal(lang)}))
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _dated(membership_start: str, membership_end: str, partnership: Partnership | None) -> tuple[Span, str]:
    p_start, p_end = (partnership.start, partnership.end) if partnership else ("", "")
    start_text, end_text = membership_start or p_start, membership_end or p_end
    own = bool(membership_start) + bool(membership_end)
    borrowed = (not membership_start and bool(p_start)) + (not membership_end and bool(p_end))
    dated_by = "none"
    if own and borrowed:
        dated_by = "membership and partnership"
    elif own:
        dated_by = "membership"
    elif borrowed:
        dated_by = "partnership"
    return Span(_earliest(start_text), _latest(end_text)), dated_by


def load_network_data(store: ox.Store, base: str = DEFAULT_BASE, release: str = "", lang: str = "en") -> NetworkData:
    """Run the three network queries and keep their rows as plain records."""
    partnerships = {}
    for row in _select(store, "partnerships", base, lang):
        iri = _value(row, "partnership")
        themes = tuple(sorted(t for t in _value(row, "themes").split() if t))
        label = _value(row, "label") or iri.rsplit("/", 1)[-1]
        partnerships[iri] = Partnership(iri, label, _value(row, "shortLabel") or label, themes, _value(row, "start"), _value(row, "end"))
    organisations = {}
    for row in _select(store, "organisations", base, lang):
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
    for row in _select(store, "memberships", base, lang):
        partnership, start, end = _value(row, "partnership"), _value(row, "start"), _value(row, "end")
        span, dated_by = _dated(start, end, partnerships.get(partnership))
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
