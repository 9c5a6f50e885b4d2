"""The partner network of the Urban Agenda: who works with whom, through which partnerships, on what evidence.

Public API (a web route calls these with its query parameters):

    data = network_data(store, release=...)                # read once per data load (cached per store)
    net = build_network(data, NetworkOptions.from_params(request.args))   # cached per options, with metrics
    metrics(net.graph); ego(net, node, radius); shortest_connection(data, org_a, org_b, options)
    to_gexf(net), to_graphml(net), to_cytoscape_json(net), to_node_link(net), to_csv(net)

Graphs that come from the cache are shared: treat them as read-only (ego() returns a new graph).
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections import Counter, OrderedDict
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from graph.bounded import SizedCache
from graph.config import DEFAULT_BASE
from graph.network.export import FORMATS, export, network_meta, path_text, to_csv, to_cytoscape_json, to_gexf, to_graphml, to_node_link
from graph.network.extract import NetworkData, describe, load_network_data
from graph.network.layout import spring_positions
from graph.network.metrics import METRICS, HopMetrics, Sampling, annotate, communities, components, hop_metrics, metrics, summary
from graph.network.model import (
    KINDS,
    WEIGHTING_DEFINITIONS,
    WEIGHTINGS,
    Network,
    NetworkOptionError,
    NetworkOptions,
    UnknownNode,
    make_network,
)
from graph.network.precomputed import Precomputed, folder_files, write_folder
from graph.store import GraphStore
from graph.vocabulary import EVIDENCE_ORDER, PARTNER_ROLES

__all__ = [
    "EVIDENCE_ORDER",
    "FORMATS",
    "KINDS",
    "METRICS",
    "PARTNER_ROLES",
    "WEIGHTINGS",
    "WEIGHTING_DEFINITIONS",
    "Network",
    "NetworkData",
    "NetworkOptionError",
    "NetworkOptions",
    "Precomputed",
    "UnknownNode",
    "annotate",
    "build_network",
    "clear_cache",
    "communities",
    "components",
    "describe",
    "ego",
    "export",
    "export_network",
    "is_precomputed",
    "kind_layout",
    "load_network_data",
    "metrics",
    "network_data",
    "network_meta",
    "path_text",
    "precompute",
    "precompute_release",
    "resolve_node",
    "shortest_connection",
    "summary",
    "to_csv",
    "to_cytoscape_json",
    "to_gexf",
    "to_graphml",
    "to_node_link",
    "use_precomputed",
    "warm_up",
]

_STORES: OrderedDict[int, tuple[GraphStore, NetworkData]] = OrderedDict()
_STORE_SLOTS = 4


_LOADING: dict[int, threading.Lock] = {}


def _loaded(store: GraphStore, base: str, release: str) -> NetworkData | None:
    key = id(store)
    cached = _STORES.get(key)
    if cached is not None and cached[0] is store and cached[1].release == release and cached[1].base == base:
        _STORES.move_to_end(key)
        return cached[1]
    return None


def network_data(store: GraphStore, base: str = DEFAULT_BASE, release: str = "") -> NetworkData:
    """The store's network facts, read once per store object (a reload gives a new store, so new data).

    Read by one thread at a time per store: at start the warm-up thread and the first requests all
    ask for it, and reading it side by side (a quarter of a second of queries at 100k triples)
    only made each of them slower; the others wait, then find it read.
    """
    found = _loaded(store, base, release)
    if found is not None:
        return found
    with _LOCK:
        loading = _LOADING.setdefault(id(store), threading.Lock())
    with loading:
        found = _loaded(store, base, release)
        if found is None:
            found = load_network_data(store, base=base, release=release)
            _STORES[id(store)] = (store, found)
            while len(_STORES) > _STORE_SLOTS:
                _STORES.popitem(last=False)
    with _LOCK:
        if _LOADING.get(id(store)) is loading:
            del _LOADING[id(store)]
    return found


#: How many networks this process computed (metrics and all), by kind: a precomputed answer adds nothing.
COMPUTED: Counter[str] = Counter()
#: Of those, how many read their hop-count metrics from a precomputed network with the same filters, by kind.
HOPS_READ: Counter[str] = Counter()
_HOPS: OrderedDict[tuple[NetworkData, NetworkOptions], HopMetrics] = OrderedDict()
_HOP_SLOTS = 64
_PRECOMPUTED: dict[str, Precomputed] = {}
_LOCK = threading.Lock()


def use_precomputed(precomputed: Precomputed | None, release: str = "") -> None:
    """Serve the networks `uaeu build` precomputed for a release (None: forget those of `release`)."""
    with _LOCK:
        if precomputed is None:
            _PRECOMPUTED.pop(release, None)
        else:
            _PRECOMPUTED[precomputed.release] = precomputed
    _exported.cache_clear()
    kind_layout.cache_clear()


def _precomputed(data: NetworkData) -> Precomputed | None:
    found = _PRECOMPUTED.get(data.release)
    return found if found is not None and found.manifest.get("base") == data.base else None


def is_precomputed(data: NetworkData, options: NetworkOptions) -> bool:
    """Did `uaeu build` precompute this network (so answering it computes nothing)?"""
    precomputed = _precomputed(data)
    return precomputed is not None and precomputed.has(options)


def _hops(data: NetworkData, options: NetworkOptions, network: Network) -> HopMetrics:
    """Hop-count metrics, shared by the weightings of one network (its nodes and edges do not depend on the weighting).

    Read from a precomputed network with the same filters (any weighting) when `uaeu build` made one.
    """
    key = (data, options.reweighted("shared"))
    with _LOCK:
        found = _HOPS.get(key)
    if found is None:
        precomputed = _precomputed(data)
        graph = network.graph
        found = precomputed.hop_metrics(options, graph.nodes, graph.number_of_edges()) if precomputed is not None else None
        if found is None:
            found = hop_metrics(graph)
        else:
            HOPS_READ[options.kind] += 1
        with _LOCK:
            _HOPS[key] = found
            while len(_HOPS) > _HOP_SLOTS:
                _HOPS.popitem(last=False)
    return found


#: Graphs kept for reuse, by nodes + edges (graph.bounded.SizedCache says why not by count): a few of the
#: real release's largest networks (about 4,000 each), or the newest one however big.
GRAPH_CACHE_BUDGET = 10_000


def _graph_size(network: Network) -> int:
    return network.graph.number_of_nodes() + network.graph.number_of_edges()


_BUILT: SizedCache[tuple[NetworkData, NetworkOptions], Network] = SizedCache(GRAPH_CACHE_BUDGET, _graph_size)
_PLAIN: SizedCache[tuple[NetworkData, NetworkOptions], Network] = SizedCache(GRAPH_CACHE_BUDGET, _graph_size)


def _compute(data: NetworkData, options: NetworkOptions) -> Network:
    COMPUTED[options.kind] += 1
    network = make_network(data, options)
    annotate(network.graph, _hops(data, options, network))
    return network


def _built(data: NetworkData, options: NetworkOptions) -> Network:
    """The network with its metrics, cached (within GRAPH_CACHE_BUDGET)."""
    return _BUILT.get((data, options), lambda: _compute(data, options))


def build_network(source: GraphStore | NetworkData, options: NetworkOptions | None = None) -> Network:
    """The network with every node's metrics and a meta block; cached per (data, options)."""
    data = source if isinstance(source, NetworkData) else network_data(source)
    return _built(data, options or NetworkOptions())


def _plain(data: NetworkData, options: NetworkOptions) -> Network:
    """A network without metrics (paths need only the edges), cached (within GRAPH_CACHE_BUDGET)."""
    return _PLAIN.get((data, options), lambda: make_network(data, options))


@functools.lru_cache(maxsize=256)
def _exported(data: NetworkData, options: NetworkOptions, fmt: str) -> bytes | tuple[str, str]:
    precomputed = _precomputed(data) if fmt == "json" else None
    found = precomputed.export_json(options) if precomputed is not None else None
    return found if found is not None else export(_built(data, options), fmt)


def export_network(source: GraphStore | NetworkData, options: NetworkOptions | None = None, fmt: str = "json") -> bytes | tuple[str, str]:
    """A whole network serialised (bytes, or (nodes, edges) CSV), cached per (data, options, format) for the web API."""
    if fmt not in FORMATS:
        raise NetworkOptionError(f"format: unknown format '{fmt}' (expected one of: {', '.join(FORMATS)})")
    data = source if isinstance(source, NetworkData) else network_data(source)
    return _exported(data, options or NetworkOptions(), fmt)


def warm_up(source: GraphStore | NetworkData, formats: tuple[str, ...] = ("json",)) -> dict[str, float]:
    """Build (and export) the default network of every kind, so the first web request is fast; seconds per kind."""
    import time

    data = source if isinstance(source, NetworkData) else network_data(source)
    spent = {}
    for kind in KINDS:
        started = time.perf_counter()
        for fmt in formats:
            export_network(data, NetworkOptions(kind=kind), fmt)
        spent[kind] = time.perf_counter() - started
    return spent


@functools.lru_cache(maxsize=16)
def kind_layout(data: NetworkData, kind: str) -> dict[str, tuple[float, float]]:
    """Positions for every node a network of this kind can have (the broadest filters), computed once.

    Why one layout per kind and not per filter: a node then stays where it was when the date slider
    or a filter changes, so the eye can follow what appeared and what went away. The layout needs
    only the nodes and weights, so the network is built without metrics.
    """
    precomputed = _precomputed(data)
    layouts = precomputed.layouts() if precomputed is not None else None
    if layouts is not None and kind in layouts:
        return layouts[kind]
    return spring_positions(_plain(data, NetworkOptions(kind=kind, roles=("all",), evidence=("all",))).graph)


def precompute(data: NetworkData, folder: Path, level: str = "auto", sampling: Sampling | None = None) -> int:
    """Compute the common networks and layouts of `data` into `folder` (see graph.network.precomputed); how many networks.

    Called by `uaeu build` before the release becomes current. The bytes are those the server would
    compute on demand: the same functions make them.
    """
    sampling = sampling or Sampling.from_env()

    def export_json(options: NetworkOptions) -> bytes:
        exported = export(_built(data, options), "json")
        assert isinstance(exported, bytes)
        return exported

    def layout(kind: str) -> dict[str, tuple[float, float]]:
        return spring_positions(_plain(data, NetworkOptions(kind=kind, roles=("all",), evidence=("all",))).graph)

    files = folder_files(data, level, export_json, layout, sampling)
    write_folder(folder, files)
    return sum(1 for name in files if name.startswith("net-"))


def precompute_release(dumps: dict[str, bytes], release: str, base: str, folder: Path, level: str = "auto") -> int:
    """`precompute` for a release not yet published, from its N-Quads and N-Triples dumps (bytes, by extension)."""
    from graph.store.embedded import EmbeddedStore

    store = ox.Store()
    store.bulk_load(input=dumps["nq"], format=ox.RdfFormat.N_QUADS)
    store.bulk_load(input=dumps["nt"], format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    data = load_network_data(EmbeddedStore(store, base=base), base=base, release=release)
    return precompute(data, folder, level)


def clear_cache() -> None:
    """Forget loaded data, built networks and exports (after a new build is loaded)."""
    _STORES.clear()
    _BUILT.clear()
    _PLAIN.clear()
    _exported.cache_clear()
    kind_layout.cache_clear()
    with _LOCK:
        _HOPS.clear()


def resolve_node(graph: nx.Graph[str], text: str) -> str:
    """A node from its IRI, the end of its IRI ('tallinn-city', 'organisation/tallinn-city'), or its exact label."""
    if text in graph:
        return text
    wanted = text.strip().strip("/")
    matches = [n for n in graph if str(n).endswith("/" + wanted)]
    if not matches:
        matches = [n for n, d in graph.nodes(data=True) if str(d.get("label", "")).casefold() == wanted.casefold()]
    if not matches:
        matches = [n for n, d in graph.nodes(data=True) if str(d.get("country", "")).casefold() == wanted.casefold() and d.get("kind") == "country"]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UnknownNode(f"node: '{text}' is not in this network (give an IRI, a slug such as 'tallinn-city', or a label)")
    raise NetworkOptionError(f"node: '{text}' is ambiguous: {', '.join(sorted(matches)[:10])}")


def ego(network: Network | nx.Graph[str], node: str, radius: int = 1) -> Network:
    """The ego network of any node: it, its neighbours up to `radius` hops, and the edges among them.

    Node metrics stay those of the whole network (centrality inside a star would say nothing).
    """
    graph = network.graph if isinstance(network, Network) else network
    if radius < 0:
        raise NetworkOptionError("radius: must be 0 or more")
    centre = resolve_node(graph, node)
    sub = nx.ego_graph(graph, centre, radius=radius).copy()
    meta = {**graph.graph.get("meta", {}), "ego": {"centre": centre, "radius": radius, "note": "node metrics are those of the whole network"}}
    meta["counts"] = {**meta.get("counts", {}), "nodes": sub.number_of_nodes(), "edges": sub.number_of_edges()}
    sub.graph = {"meta": meta}
    return Network(sub, meta)


def _links_between(bipartite: nx.Graph[str], a: str, b: str) -> list[dict[str, Any]]:
    """Every partnership that joins organisations a and b, with each side's role, evidence and sources."""
    links = []
    for partnership in sorted(set(bipartite[a]) & set(bipartite[b])):
        sides = []
        for org in (a, b):
            edge = bipartite.edges[partnership, org]
            sides.append(
                {
                    "organisation": org,
                    "label": bipartite.nodes[org]["label"],
                    "roles": edge["roles"].split("; "),
                    "evidence": edge["evidence"],
                    "memberships": edge["memberships"].split(),
                    "sources": edge["sources"].split(),
                    "period_start": edge["period_start"],
                    "period_end": edge["period_end"],
                    "dated_by": edge["dated_by"],
                }
            )
        links.append({"partnership": partnership, "label": bipartite.nodes[partnership]["label"], "sides": sides})
    return links


def shortest_connection(source: GraphStore | NetworkData, org_a: str, org_b: str, options: NetworkOptions | None = None) -> dict[str, Any]:
    """The shortest chain of partnerships between two organisations, under the same filters, with its evidence.

    Each step lists every partnership that joins the two organisations of that step (not only the
    one on the path), the role and evidence of both, and the sources of their memberships.
    """
    base = options or NetworkOptions()
    bipartite_options = NetworkOptions(**{**base.__dict__, "kind": "bipartite"})
    data = source if isinstance(source, NetworkData) else network_data(source)
    network = _plain(data, bipartite_options)
    graph = network.graph
    everyone = _plain(data, NetworkOptions(kind="bipartite", roles=("all",), evidence=("all",))).graph
    a, b = resolve_node(everyone, org_a), resolve_node(everyone, org_b)
    for node in (a, b):
        if everyone.nodes[node]["kind"] != "organisation":
            raise NetworkOptionError(f"path: '{node}' is a {everyone.nodes[node]['kind']}, not an organisation")
    meta = {k: v for k, v in network.meta.items() if k != "metrics"}
    result: dict[str, Any] = {"from": a, "to": b, "meta": {**meta, "kind": "path"}}
    missing = [node for node in (a, b) if node not in graph]
    try:
        path = [] if missing else nx.shortest_path(graph, a, b)
    except nx.NetworkXNoPath:
        path = []
    if not path:
        return {**result, "connected": False, "not_in_network": missing, "partnerships_between": None, "path": [], "organisations": [], "steps": []}
    organisations = path[0::2]
    steps = [{"from": x, "to": y, "via": path[2 * i + 1], "links": _links_between(graph, x, y)} for i, (x, y) in enumerate(itertools.pairwise(organisations))]
    return {
        **result,
        "connected": True,
        "partnerships_between": len(steps),
        "path": path,
        "organisations": [{"id": o, "label": graph.nodes[o]["label"]} for o in organisations],
        "steps": steps,
    }
