"""Node metrics, components and communities of a network, computed with networkx.

Betweenness and closeness count hops (every edge one step): a weight here measures how strong a tie
is, not how long, so it is not a distance. Weighted degree, eigenvector centrality and Louvain
communities use the weight. Louvain runs with a fixed seed, so communities repeat run to run.
"""

from __future__ import annotations

import math
import os
import random
from dataclasses import dataclass
from typing import Any, cast

import networkx as nx

LOUVAIN_SEED = 42
#: Betweenness is exact up to this many nodes; above, it is estimated from a seeded sample of sources.
EXACT_BETWEENNESS_MAX_NODES = 600
BETWEENNESS_SAMPLE = 200
BETWEENNESS_SEED = 42
METRICS = ("degree", "weighted_degree", "betweenness", "closeness", "eigenvector", "clustering", "component", "community")
METRIC_NOTES = {
    "degree": "number of neighbours",
    "weighted_degree": "sum of the weights of a node's edges",
    "betweenness": "normalised betweenness centrality, counting hops (weights ignored)",
    "closeness": "closeness centrality (Wasserman-Faust for disconnected graphs), counting hops",
    "eigenvector": "eigenvector centrality on the weights (PageRank needs SciPy, which this project does not install)",
    "clustering": "local clustering coefficient, unweighted (bipartite network: Latapy's bipartite clustering)",
    "component": "connected component, 0 = the largest",
    "community": f"Louvain community on the weights, seed {LOUVAIN_SEED}, 0 = the largest",
}


def _ordered(groups: list[set[Any]]) -> list[set[Any]]:
    """Largest first, ties broken by the smallest member, so indices do not depend on set order."""
    return sorted(groups, key=lambda g: (-len(g), min(str(n) for n in g)))


def components(graph: nx.Graph[str]) -> list[set[Any]]:
    return _ordered([set(c) for c in nx.connected_components(graph)])


def communities(graph: nx.Graph[str], seed: int = LOUVAIN_SEED) -> list[set[Any]]:
    """Louvain communities with a fixed seed (node order fixed too, since Louvain visits nodes in order)."""
    if graph.number_of_nodes() == 0:
        return []
    ordered: nx.Graph[str] = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes, key=str))
    ordered.add_weighted_edges_from(sorted((u, v, d.get("weight", 1.0)) for u, v, d in graph.edges(data=True)))
    return _ordered([set(c) for c in nx.community.louvain_communities(ordered, weight="weight", seed=seed)])


def _eigenvector(graph: nx.Graph[str], max_iter: int = 1000, tol: float = 1e-08) -> dict[Any, float]:
    """networkx's `eigenvector_centrality(weight="weight")`, the same arithmetic in the same order, over lists.

    Why our own loop: the power iteration runs hundreds of rounds on these networks, and networkx
    looks every edge weight up through its adjacency views in each one; numbered nodes and a
    plain list of (neighbour, weight) pairs do the same sums in a fraction of the time.
    Not converging gives NaN for every node, as before.
    """
    if graph.number_of_edges() == 0:
        return dict.fromkeys(graph, 0.0)
    nodes = list(graph)
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    adjacency = [[(index[w], d.get("weight", 1)) for w, d in graph[v].items()] for v in nodes]
    x = [1 / n] * n
    for _ in range(max_iter):
        last = x
        x = last.copy()  # (A + I) x, as networkx iterates
        for i in range(n):
            xi = last[i]
            for j, w in adjacency[i]:
                x[j] += xi * w
        norm = math.hypot(*x) or 1
        x = [v / norm for v in x]
        if sum(abs(x[i] - last[i]) for i in range(n)) < n * tol:
            return dict(zip(nodes, x, strict=True))
    return dict.fromkeys(graph, float("nan"))


@dataclass(frozen=True)
class Sampling:
    """When betweenness is estimated, and how: exact up to `exact_max_nodes` nodes, else from `k` sources drawn with `seed`.

    Why: exact betweenness costs a breadth-first search from every node, which grows with nodes x
    edges; a seeded sample of sources gives the same picture of who sits between groups, repeatably.
    Settings: UAEU_NETWORK_EXACT_BETWEENNESS_MAX_NODES and UAEU_NETWORK_BETWEENNESS_SAMPLE.
    """

    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES
    k: int = BETWEENNESS_SAMPLE
    seed: int = BETWEENNESS_SEED

    @classmethod
    def from_env(cls) -> Sampling:
        def number(name: str, default: int) -> int:
            text = os.environ.get(name, "").strip()
            if not text:
                return default
            try:
                value = int(text)
            except ValueError:
                raise ValueError(f"{name}: must be a whole number, not {text!r}") from None
            if value < 1:
                raise ValueError(f"{name}: must be 1 or more, not {value}")
            return value

        return cls(
            number("UAEU_NETWORK_EXACT_BETWEENNESS_MAX_NODES", EXACT_BETWEENNESS_MAX_NODES), number("UAEU_NETWORK_BETWEENNESS_SAMPLE", BETWEENNESS_SAMPLE)
        )

    def sample_size(self, nodes: int) -> int | None:
        """None for exact betweenness, else how many sources to sample."""
        return None if nodes <= self.exact_max_nodes or self.k >= nodes else self.k

    def describe(self, nodes: int) -> dict[str, Any]:
        k = self.sample_size(nodes)
        if k is None:
            return {"method": "exact"}
        return {"method": "sampled", "k": k, "seed": self.seed, "note": f"sampled, k={k}, seed={self.seed}: estimated from {k} of {nodes} sources"}


def hop_centralities(graph: nx.Graph[str], k: int | None = None, seed: int = BETWEENNESS_SEED) -> tuple[dict[Any, float], dict[Any, float]]:
    """(betweenness, closeness), counting hops, from one breadth-first search per source.

    The same numbers as networkx's `betweenness_centrality(normalized=True, k=k, seed=seed)` and
    `closeness_centrality` (same sources, same visiting order, same arithmetic), in about half the
    time: nodes are numbered and the searches run over lists, and closeness reuses the searches.
    With `k`, closeness still needs every node's search; those searches skip the accumulation.
    """
    nodes = list(graph)
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    adjacency = [[index[w] for w in graph[v]] for v in nodes]
    sampled = None if k is None else {index[v] for v in random.Random(seed).sample(nodes, k)}  # noqa: S311 - networkx's own seeded sample
    between = [0.0] * n
    close = [0.0] * n
    for s in range(n):
        accumulate = sampled is None or s in sampled
        dist = [-1] * n
        dist[s] = 0
        order = [s]
        if accumulate:
            sigma = [0.0] * n
            sigma[s] = 1.0
            for v in order:
                next_hop = dist[v] + 1
                sigma_v = sigma[v]
                for w in adjacency[v]:
                    dw = dist[w]
                    if dw < 0:
                        dist[w] = next_hop
                        order.append(w)
                        dw = next_hop
                    if dw == next_hop:
                        sigma[w] += sigma_v
            # Predecessors are the neighbours one hop nearer: found again here instead of kept in lists.
            # Each of them gets exactly one addition per w, and the w come in the same order, so the sums are networkx's.
            delta = [0.0] * n
            for w in reversed(order):
                coeff = (1 + delta[w]) / sigma[w]
                nearer = dist[w] - 1
                for v in adjacency[w]:
                    if dist[v] == nearer:
                        delta[v] += sigma[v] * coeff
                if w != s:
                    between[w] += delta[w]
        else:
            for v in order:
                next_hop = dist[v] + 1
                for w in adjacency[v]:
                    if dist[w] < 0:
                        dist[w] = next_hop
                        order.append(w)
        total = sum(dist[v] for v in order)
        if total > 0 and n > 1:
            close[s] = (len(order) - 1.0) / total * ((len(order) - 1.0) / (n - 1))
    _rescale(between, n, sampled)
    return dict(zip(nodes, between, strict=True)), dict(zip(nodes, close, strict=True))


def _rescale(between: list[float], n: int, sampled: set[int] | None) -> None:
    """networkx's normalisation of betweenness (endpoints excluded, undirected), sampled or not."""
    pairs = n - 1
    if pairs < 2:
        return
    if sampled is None:
        scale = 1 / (pairs * (pairs - 1))
        for v in range(n):
            between[v] *= scale
        return
    k = len(sampled)
    scale_source = 1 / ((k - 1) * (pairs - 1)) if k > 1 else float("nan")
    scale_other = 1 / (k * (pairs - 1))
    for v in range(n):
        between[v] *= scale_source if v in sampled else scale_other


def bipartite_clustering(graph: nx.Graph[str]) -> dict[Any, float]:
    """Latapy's bipartite clustering ("dot" mode), as networkx's `bipartite.clustering`, summed in a fixed order.

    Why not networkx's: it adds up over a set of nodes, whose order changes from process to process
    (string hashing), so the last digits (and the bytes of a precomputed network) changed between
    runs. Here the second neighbours are visited in sorted order.
    """
    if not nx.is_bipartite(graph):
        raise nx.NetworkXError("Graph is not bipartite")
    neighbours = {v: set(graph[v]) for v in graph}
    found: dict[Any, float] = {}
    for v in graph:
        mine = neighbours[v]
        second = sorted({u for nbr in mine for u in neighbours[nbr]} - {v}, key=str)
        cc = 0.0
        for u in second:
            theirs = neighbours[u]
            cc += len(theirs & mine) / len(theirs | mine)
        if cc > 0.0:
            cc /= len(second)
        found[v] = cc
    return found


def modularity(graph: nx.Graph[str], found: list[set[Any]]) -> float:
    """networkx's weighted `modularity`, each community's members visited in sorted order (the same figure, the same digits every run)."""
    degree = dict(graph.degree(weight="weight"))
    total = sum(degree.values())
    m = total / 2
    norm = 1 / total**2
    result = 0.0
    for community in found:
        members = sorted(community, key=str)
        inside = set(members)
        seen: set[Any] = set()
        internal = 0.0
        for u in members:
            for v, d in graph[u].items():
                if v in inside and v not in seen:
                    internal += d.get("weight", 1)
            seen.add(u)
        degrees = sum(degree[u] for u in members)
        result += internal / m - degrees * degrees * norm
    return result


@dataclass(frozen=True)
class HopMetrics:
    """The metrics that count hops or neighbours only, so every weighting of one network shares them."""

    betweenness: dict[Any, float]
    closeness: dict[Any, float]
    clustering: dict[Any, float]
    component_of: dict[Any, int]
    betweenness_method: dict[str, Any]


def hop_metrics(graph: nx.Graph[str], sampling: Sampling | None = None) -> HopMetrics:
    """Betweenness, closeness, clustering and components (weights ignored)."""
    sampling = sampling or Sampling.from_env()
    n = graph.number_of_nodes()
    k = sampling.sample_size(n)
    betweenness, closeness = hop_centralities(graph, k, sampling.seed) if n else ({}, {})
    bipartite = n > 0 and all("bipartite" in d for _, d in graph.nodes(data=True))
    # nx.clustering answers a dict for a whole graph (a float only when asked about one node).
    clustering = (bipartite_clustering(graph) if bipartite else cast(dict[Any, float], nx.clustering(graph))) if n else {}
    component_of = {node: i for i, c in enumerate(components(graph)) for node in c}
    return HopMetrics(betweenness, closeness, clustering, component_of, sampling.describe(n))


def metrics(graph: nx.Graph[str], found: list[set[Any]] | None = None, hops: HopMetrics | None = None) -> dict[Any, dict[str, float | int]]:
    """Every metric for every node: {node: {metric: value}} (`found`: communities, `hops`: hop metrics already computed)."""
    if graph.number_of_nodes() == 0:
        return {}
    hops = hops or hop_metrics(graph)
    degree = dict(graph.degree())
    weighted = dict(graph.degree(weight="weight"))
    betweenness, closeness, clustering, component_of = hops.betweenness, hops.closeness, hops.clustering, hops.component_of
    eigenvector = _eigenvector(graph)
    community_of = {n: i for i, c in enumerate(communities(graph) if found is None else found) for n in c}
    return {
        node: {
            "degree": int(degree[node]),
            "weighted_degree": float(weighted[node]),
            "betweenness": float(betweenness[node]),
            "closeness": float(closeness[node]),
            "eigenvector": float(eigenvector[node]),
            "clustering": float(clustering[node]),
            "component": component_of[node],
            "community": community_of[node],
        }
        for node in graph
    }


def summary(graph: nx.Graph[str], found: list[set[Any]] | None = None, hops: HopMetrics | None = None) -> dict[str, Any]:
    """Whole-network figures for the meta block (how betweenness was computed among them)."""
    found = communities(graph) if found is None else found
    method = hops.betweenness_method if hops is not None else Sampling.from_env().describe(graph.number_of_nodes())
    notes = dict(METRIC_NOTES)
    if method["method"] == "sampled":
        notes["betweenness"] = f"{METRIC_NOTES['betweenness']}; {method['note']}"
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "density": nx.density(graph) if graph.number_of_nodes() > 1 else 0.0,
        "components": nx.number_connected_components(graph) if graph.number_of_nodes() else 0,
        "communities": len(found),
        "modularity": modularity(graph, found) if graph.number_of_edges() else 0.0,
        "louvain_seed": LOUVAIN_SEED,
        "betweenness": method,
        "notes": notes,
    }


def annotate(graph: nx.Graph[str], hops: HopMetrics | None = None) -> nx.Graph[str]:
    """Write the metrics onto the nodes and the summary into the meta block (in place)."""
    found = communities(graph)
    hops = hops or hop_metrics(graph)
    for node, values in metrics(graph, found, hops).items():
        graph.nodes[node].update(values)
    graph.graph.setdefault("meta", {})["metrics"] = summary(graph, found, hops)
    return graph
