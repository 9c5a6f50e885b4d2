"""The bipartite partnership-organisation network, its filters and its three projections.

Every graph carries `graph.graph["meta"]`: the parameters it was built with, the weighting and what
it means, how dates were read, and the release, so any export says how it was made.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import networkx as nx

from graph.dates import DateFormatError, Span, earliest_and_latest
from graph.network.extract import Membership, NetworkData, describe, merge_spans
from graph.vocabulary import ALL_ROLES, EVIDENCE_ORDER, PARTNER_ROLES, evidence_rank

KINDS = ("bipartite", "organisations", "countries", "partnerships")
WEIGHTINGS = ("shared", "newman", "jaccard")
WEIGHTING_DEFINITIONS = {
    "shared": "number of shared partnerships (for the partnership network: shared organisations)",
    "newman": "Newman's collaboration weight: sum over shared partnerships p of 1/(n_p - 1), n_p = members of p in the filtered network",
    "jaccard": "Jaccard overlap: shared partnerships / partnerships of either (|A and B| / |A or B|)",
}
ROLE_ALIASES = {"coordinators": ("coordinator",), "members": ("coordinator", "member"), "partners": PARTNER_ROLES, "all": ALL_ROLES}


class NetworkOptionError(ValueError):
    """A filter or parameter the network cannot use (the message says what was expected)."""


class UnknownNode(NetworkOptionError):
    """An entity asked for that the network does not hold (the web layer answers 404, not 400)."""


def _tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else [part for v in value for part in str(v).split(",")]
    return tuple(sorted({item.strip() for item in items if item.strip()}))


def _check_date(name: str, value: str | None) -> str | None:
    if value in (None, ""):
        return None
    try:
        earliest_and_latest(value)
    except DateFormatError as err:
        raise NetworkOptionError(f"{name}: {err}") from None
    return value


@dataclass(frozen=True)
class NetworkOptions:
    """What to build. Hashable, so computed networks can be cached by their options.

    Empty filters mean 'no restriction', except `roles` (default: the partner roles) and `evidence`
    (default: only 'stated'). Dates may be partial ('2017', '2017-06'): `as_of` covers the whole
    year or month it names, `start`/`end` bound a period; a membership counts when its period may
    touch the window.
    """

    kind: str = "organisations"
    weighting: str = "shared"
    as_of: str | None = None
    start: str | None = None
    end: str | None = None
    roles: tuple[str, ...] = PARTNER_ROLES
    partner_types: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    partnerships: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ("stated",)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise NetworkOptionError(f"kind: unknown network '{self.kind}' (expected one of: {', '.join(KINDS)})")
        if self.weighting not in WEIGHTINGS:
            raise NetworkOptionError(f"weighting: unknown weighting '{self.weighting}' (expected one of: {', '.join(WEIGHTINGS)})")
        for name in ("as_of", "start", "end"):
            object.__setattr__(self, name, _check_date(name, getattr(self, name)))
        if self.as_of and (self.start or self.end):
            raise NetworkOptionError("as_of: give either a date (as_of) or a period (start, end), not both")
        roles: set[str] = set()
        for role in _tuple(self.roles):
            roles.update(ROLE_ALIASES.get(role, (role,)))
        object.__setattr__(self, "roles", tuple(sorted(roles)))
        evidence = _tuple(self.evidence)
        object.__setattr__(self, "evidence", EVIDENCE_ORDER if "all" in evidence else evidence)
        for name in ("partner_types", "themes", "partnerships"):
            object.__setattr__(self, name, _tuple(getattr(self, name)))

    @classmethod
    def from_params(cls, params: Mapping[str, Any], **overrides: Any) -> NetworkOptions:
        """Options from query parameters or CLI arguments ('as-of' or 'as_of'; lists or comma-separated strings)."""
        values: dict[str, Any] = {}
        aliases = {"role": "roles", "partner_type": "partner_types", "theme": "themes", "partnership": "partnerships", "from": "start", "to": "end"}
        for key, value in {**params, **overrides}.items():
            name = aliases.get(key.replace("-", "_"), key.replace("-", "_"))
            if name not in cls.__dataclass_fields__:
                continue
            if isinstance(value, list | tuple) and name in ("kind", "weighting", "as_of", "start", "end"):
                value = value[-1] if value else None
            if value in (None, "", [], ()):
                continue
            values[name] = value
        return cls(**values)

    def window(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last day the date filter covers (None: open)."""
        if self.as_of:
            return earliest_and_latest(self.as_of)
        return (earliest_and_latest(self.start)[0] if self.start else None, earliest_and_latest(self.end)[1] if self.end else None)

    def as_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def reweighted(self, weighting: str) -> NetworkOptions:
        """The same filters with another weighting (the same nodes and edges, other weights).

        Why not `NetworkOptions(**{**options.__dict__, ...})`: that normalises the already normal
        fields again, and sorts `evidence` out of EVIDENCE_ORDER, so 'all' became another key.
        """
        if weighting not in WEIGHTINGS:
            raise NetworkOptionError(f"weighting: unknown weighting '{weighting}' (expected one of: {', '.join(WEIGHTINGS)})")
        other = copy.copy(self)
        object.__setattr__(other, "weighting", weighting)
        return other


class Network(NamedTuple):
    """A built network: the graph (read-only when it comes from the cache) and its meta block."""

    graph: nx.Graph[str]
    meta: dict[str, Any]


@dataclass
class _Link:
    """What joins two nodes of a projection through one shared hub."""

    evidence: int
    spans: list[Span] = field(default_factory=list)


def _short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _resolve_partnerships(data: NetworkData, wanted: tuple[str, ...]) -> set[str]:
    by_slug = {_short(iri): iri for iri in data.partnerships}
    chosen = set()
    for item in wanted:
        iri = item if item in data.partnerships else by_slug.get(item)
        if iri is None:
            raise NetworkOptionError(f"partnerships: unknown partnership '{item}' (expected one of: {', '.join(sorted(by_slug))})")
        chosen.add(iri)
    return chosen


def _check_known(name: str, wanted: tuple[str, ...], known: list[str]) -> None:
    for item in wanted:
        if item not in known:
            raise NetworkOptionError(f"{name}: unknown value '{item}' (expected one of: {', '.join(known)})")


def select_memberships(data: NetworkData, options: NetworkOptions) -> tuple[list[Membership], dict[str, Any]]:
    """The memberships that pass every filter, and counts that say what the filters did."""
    known = describe(data)
    _check_known("roles", options.roles, sorted(set(known["roles"]) | set(ALL_ROLES)))
    _check_known("evidence", options.evidence, list(EVIDENCE_ORDER))
    _check_known("partner_types", options.partner_types, known["partner_types"])
    _check_known("themes", options.themes, known["themes"])
    partnerships = _resolve_partnerships(data, options.partnerships)
    low, high = options.window()
    dated = options.as_of or options.start or options.end
    kept: list[Membership] = []
    counts = {"memberships_in_data": len(data.memberships), "dated_by_membership": 0, "dated_by_partnership": 0, "dated_by_both": 0, "undated": 0}
    for m in data.memberships:
        p = data.partnerships.get(m.partnership)
        o = data.organisations.get(m.organisation)
        if p is None or o is None or m.role not in options.roles or m.evidence not in options.evidence:
            continue
        if options.partner_types and o.partner_type not in options.partner_types:
            continue
        if options.themes and not set(p.themes) & set(options.themes):
            continue
        if partnerships and m.partnership not in partnerships:
            continue
        if dated and not m.span.overlaps(low, high):
            continue
        kept.append(m)
        key = {"membership": "dated_by_membership", "partnership": "dated_by_partnership", "membership and partnership": "dated_by_both"}
        counts[key.get(m.dated_by, "undated")] += 1
    counts["memberships_kept"] = len(kept)
    return kept, counts


def _edge_key(m: Membership) -> tuple[str, str]:
    return (m.partnership, m.organisation)


def build_bipartite(data: NetworkData, memberships: list[Membership]) -> nx.Graph[str]:
    """Partnerships and organisations, one edge per (partnership, organisation) that kept a membership."""
    graph: nx.Graph[str] = nx.Graph()
    by_pair: dict[tuple[str, str], list[Membership]] = defaultdict(list)
    for m in memberships:
        by_pair[_edge_key(m)].append(m)
    # Spans per node, in the order the pairs were first seen (grouped once, not rescanned per node).
    spans_of_p: dict[str, list[Span]] = defaultdict(list)
    spans_of_o: dict[str, list[Span]] = defaultdict(list)
    for (p_iri, o_iri), ms in by_pair.items():
        spans_of_p[p_iri].extend(m.span for m in ms)
        spans_of_o[o_iri].extend(m.span for m in ms)
    for p_iri in sorted(spans_of_p):
        graph.add_node(p_iri, **_partnership_attrs(data, p_iri, spans_of_p[p_iri]))
    for o_iri in sorted(spans_of_o):
        graph.add_node(o_iri, **_organisation_attrs(data, o_iri, spans_of_o[o_iri]))
    for (p_iri, o_iri), ms in sorted(by_pair.items()):
        ms = sorted(ms, key=lambda m: (evidence_rank(m.evidence), m.role))
        graph.add_edge(
            p_iri,
            o_iri,
            weight=1.0,
            roles="; ".join(sorted({m.role for m in ms})),
            evidence=ms[0].evidence,
            weak=ms[0].evidence != "stated",
            memberships=" ".join(m.iri for m in ms),
            sources=" ".join(sorted({s for m in ms for s in m.sources})),
            period_start=min((m.start for m in ms if m.start), default=""),
            period_end=max((m.end for m in ms if m.end), default=""),
            dated_by="; ".join(sorted({m.dated_by for m in ms})),
            spells=[s.as_spell() for s in merge_spans([m.span for m in ms])],
        )
    return graph


def _partnership_attrs(data: NetworkData, iri: str, spans: list[Span]) -> dict[str, Any]:
    p = data.partnerships[iri]
    return {
        "label": p.short_label,
        "kind": "partnership",
        "bipartite": 0,
        "name": p.label,
        "themes": "; ".join(p.themes),
        "period_start": p.start,
        "period_end": p.end,
        "spells": [s.as_spell() for s in merge_spans([p.span, *spans])],
    }


def _organisation_attrs(data: NetworkData, iri: str, spans: list[Span]) -> dict[str, Any]:
    o = data.organisations[iri]
    return {
        "label": o.label,
        "kind": "organisation",
        "bipartite": 1,
        "partner_type": o.partner_type,
        "country": o.country_code,
        "country_label": o.country_label,
        "city": o.city,
        "spells": [s.as_spell() for s in merge_spans(spans)],
    }


def _project(hubs: dict[str, dict[str, _Link]], weighting: str, hub_kind: str) -> nx.Graph[str]:
    """Join the nodes that share a hub; weight by the chosen weighting, keep all three and the hubs."""
    graph: nx.Graph[str] = nx.Graph()
    hubs_of: dict[str, set[str]] = defaultdict(set)
    for hub, members in hubs.items():
        for node in members:
            hubs_of[node].add(hub)
    graph.add_nodes_from(sorted(hubs_of))
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for hub in sorted(hubs):
        members = hubs[hub]
        size = len(members)
        # Each side's spans merged first: the union of the pairwise overlaps is the same days, found in far fewer steps.
        merged = {node: merge_spans(link.spans) for node, link in members.items()}
        for a, b in itertools.combinations(sorted(members), 2):
            pair = pairs.setdefault((a, b), {"shared": 0, "newman": 0.0, "hubs": [], "evidence": len(EVIDENCE_ORDER), "spans": []})
            pair["shared"] += 1
            pair["newman"] += 1.0 / (size - 1)
            pair["hubs"].append(hub)
            la, lb = members[a], members[b]
            pair["evidence"] = min(pair["evidence"], max(la.evidence, lb.evidence))
            for sa, sb in itertools.product(merged[a], merged[b]):
                common = sa.intersect(sb)
                if common is not None:
                    pair["spans"].append(common)
    for (a, b), pair in pairs.items():
        union = len(hubs_of[a] | hubs_of[b])
        jaccard = pair["shared"] / union if union else 0.0
        evidence = EVIDENCE_ORDER[pair["evidence"]] if pair["evidence"] < len(EVIDENCE_ORDER) else "unknown"
        weights = {"shared": float(pair["shared"]), "newman": pair["newman"], "jaccard": jaccard}
        graph.add_edge(
            a,
            b,
            weight=weights[weighting],
            weighting=weighting,
            shared=pair["shared"],
            newman=pair["newman"],
            jaccard=jaccard,
            evidence=evidence,
            weak=evidence != "stated",
            **{hub_kind: " ".join(pair["hubs"])},
            spells=[s.as_spell() for s in merge_spans(pair["spans"])],
        )
    return graph


def _links(memberships: list[Membership], hub_of: Any, node_of: Any) -> dict[str, dict[str, _Link]]:
    hubs: dict[str, dict[str, _Link]] = defaultdict(dict)
    for m in memberships:
        hub, node = hub_of(m), node_of(m)
        if hub is None or node is None:
            continue
        link = hubs[hub].setdefault(node, _Link(evidence_rank(m.evidence)))
        link.evidence = min(link.evidence, evidence_rank(m.evidence))
        link.spans.append(m.span)
    return hubs


def _meta(data: NetworkData, options: NetworkOptions, counts: dict[str, Any], graph: nx.Graph[str]) -> dict[str, Any]:
    low, high = options.window()
    dates = "no date filter: every membership counts"
    if low or high:
        dates = (
            f"memberships whose period may touch {low or 'the beginning'} .. {high or 'now'}; partial dates count from their first to their last day; "
            f"a membership without dates takes its partnership's period ({counts['dated_by_partnership']} kept memberships dated that way, "
            f"{counts['dated_by_both']} partly); memberships with no known period at all are kept ({counts['undated']})"
        )
    return {
        "kind": options.kind,
        "weighting": options.weighting,
        "weighting_definition": WEIGHTING_DEFINITIONS[options.weighting] if options.kind != "bipartite" else "bipartite: every edge weighs 1",
        "parameters": options.as_dict(),
        "window": [low.isoformat() if low else None, high.isoformat() if high else None],
        "dates": dates,
        "evidence_note": "only 'stated' evidence"
        if options.evidence == ("stated",)
        else "weaker evidence included; edges carry 'evidence' (the weaker of the two sides) and 'weak'",
        "counts": {**counts, "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()},
        "release": data.release,
        "base": data.base,
        "node_ids": "IRIs of partnerships, organisations and countries",
    }


def _spans_by(memberships: list[Membership], key: Any) -> defaultdict[str, list[Span]]:
    """Each node's membership spans, in membership order (one pass, not one scan per node)."""
    spans: defaultdict[str, list[Span]] = defaultdict(list)
    for m in memberships:
        spans[key(m)].append(m.span)
    return spans


def make_network(data: NetworkData, options: NetworkOptions) -> Network:
    """Build the chosen network from loaded data (no metrics; see graph.network.build_network)."""
    memberships, counts = select_memberships(data, options)
    if options.kind == "bipartite":
        graph = build_bipartite(data, memberships)
    elif options.kind == "organisations":
        graph = _project(_links(memberships, lambda m: m.partnership, lambda m: m.organisation), options.weighting, "partnerships")
        spans_of = _spans_by(memberships, lambda m: m.organisation)
        for node in graph:
            graph.nodes[node].update(_organisation_attrs(data, node, spans_of[node]))
            del graph.nodes[node]["bipartite"]
    elif options.kind == "partnerships":
        graph = _project(_links(memberships, lambda m: m.organisation, lambda m: m.partnership), options.weighting, "organisations")
        spans_of = _spans_by(memberships, lambda m: m.partnership)
        for node in graph:
            graph.nodes[node].update(_partnership_attrs(data, node, spans_of[node]))
            del graph.nodes[node]["bipartite"]
    else:
        country_of = {iri: o.country for iri, o in data.organisations.items() if o.country}
        hubs = _links(memberships, lambda m: m.partnership, lambda m: country_of.get(m.organisation))
        graph = _project(hubs, options.weighting, "partnerships")
        counts["organisations_without_country"] = len({m.organisation for m in memberships if m.organisation not in country_of})
        by_country: dict[str, set[str]] = defaultdict(set)
        for m in memberships:
            if m.organisation in country_of:
                by_country[country_of[m.organisation]].add(m.organisation)
        spans_of = _spans_by(memberships, lambda m: country_of.get(m.organisation))
        for node in graph:
            sample = data.organisations[min(by_country[node])]
            spans = spans_of[node]
            graph.nodes[node].update(
                label=sample.country_label or sample.country_code,
                kind="country",
                country=sample.country_code,
                organisations=len(by_country[node]),
                spells=[s.as_spell() for s in merge_spans(spans)],
            )
    graph.graph["meta"] = _meta(data, options, counts, graph)
    if options.kind == "countries":
        graph.graph["meta"]["countries_note"] = "organisations without a country (EU bodies, European networks) are left out"
    return Network(graph, graph.graph["meta"])
