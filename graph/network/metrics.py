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
    """Louvain communities with a fixed seed (node order fixed too, since Louvain visits nodes in order).

    The communities of networkx's `louvain_communities(ordered, weight="weight", seed=seed)` over
    the graph with its nodes sorted and its edges added in sorted order, computed by `louvain`.
    """
    if graph.number_of_nodes() == 0:
        return []
    nodes = sorted(graph.nodes, key=str)
    edges = sorted((u, v, d.get("weight", 1.0)) for u, v, d in graph.edges(data=True))
    return _ordered(louvain(nodes, edges, seed))


#: networkx's default: a level whose modularity gains no more than this ends the search.
LOUVAIN_THRESHOLD = 0.0000001


def _adjacency(count: int, edges: list[tuple[int, int, Any]]) -> list[dict[int, Any]]:
    """Neighbours in the order networkx's Graph.add_weighted_edges_from would hold them (a dict keeps the first insertion's place)."""
    adjacency: list[dict[int, Any]] = [{} for _ in range(count)]
    for u, v, w in edges:
        adjacency[u][v] = w
        adjacency[v][u] = w
    return adjacency


def _edge_order(adjacency: list[dict[int, Any]]) -> list[tuple[int, int, Any]]:
    """The edges as networkx's `G.edges(data=...)` yields them: by node, each edge once, from its first end."""
    seen: set[int] = set()
    found = []
    for u, neighbours in enumerate(adjacency):
        for v, w in neighbours.items():
            if v not in seen:
                found.append((u, v, w))
        seen.add(u)
    return found


def _weighted_degrees(adjacency: list[dict[int, Any]]) -> list[Any]:
    """networkx's weighted degree: the sum over the neighbours in order, a self-loop counted once more."""
    return [sum(neighbours.values()) + (u in neighbours and neighbours[u]) for u, neighbours in enumerate(adjacency)]


def _level_modularity(adjacency: list[dict[int, Any]], degrees: list[Any], groups: list[list[int]]) -> float:
    """networkx's `modularity` (resolution 1) of `groups` of the level's nodes, members in the given order."""
    total = sum(degrees)
    m = total / 2
    norm = 1 / total**2
    result = []
    for group in groups:
        inside = set(group)
        seen: set[int] = set()
        internal = []
        for u in group:
            for v, w in adjacency[u].items():
                if v in inside and v not in seen:
                    internal.append(w)
            seen.add(u)
        degree_sum = sum(degrees[u] for u in group)
        result.append(sum(internal) / m - 1 * degree_sum * degree_sum * norm)
    found: float = sum(result)
    return found


def louvain(nodes: list[Any], edges: list[tuple[Any, Any, Any]], seed: int = LOUVAIN_SEED) -> list[set[Any]]:
    """networkx's `louvain_communities` (resolution 1, its threshold) of the graph made by adding `nodes`, then `edges`, in order.

    Why our own: networkx's walks dicts of dicts through its views, copies the graph for each level
    and checks the partition before each modularity; these are the same moves (the same shuffles
    of the same seeded generator, the same gains in the same order, the same ties), over numbered
    nodes and plain dicts, in about half the time. The one sum networkx leaves to set order
    (the modularity of a level, compared with the threshold) is taken here in node order; it only
    decides whether to stop, and the gain it is compared with is never that close to the threshold.
    """
    count = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    adjacency = _adjacency(count, [(index[u], index[v], w) for u, v, w in edges])
    if not any(adjacency):
        return [{node} for node in nodes]
    rng = random.Random(seed)  # noqa: S311 - networkx's own seeded generator, for repeatable communities
    # louvain_partitions: the modularity of the singletons, on the graph as given
    degrees = _weighted_degrees(adjacency)
    modularity_before = _level_modularity(adjacency, degrees, [[u] for u in range(count)])
    # ... then a copy of it, whose neighbours come in the order of the edges it was copied from
    adjacency = _adjacency(count, _edge_order(adjacency))
    degrees = _weighted_degrees(adjacency)
    m = sum(degrees) / 2
    members: list[set[int]] = [{u} for u in range(count)]  # each level node's original nodes
    partition, inner, _ = _one_level(adjacency, degrees, m, members, [{u} for u in range(count)], rng)
    while True:
        final = [set(group) for group in partition]  # the next level moves nodes in `partition` itself
        modularity_now = _level_modularity(adjacency, degrees, [sorted(group) for group in inner])
        if modularity_now - modularity_before <= LOUVAIN_THRESHOLD:
            break
        modularity_before = modularity_now
        adjacency, members = _next_level(adjacency, members, inner)
        degrees = _weighted_degrees(adjacency)
        partition, inner, improvement = _one_level(adjacency, degrees, m, members, partition, rng)
        if not improvement:
            break
    return [{nodes[u] for u in group} for group in final]


def _one_level(
    adjacency: list[dict[int, Any]], degrees: list[Any], m: float, members: list[set[int]], partition: list[set[int]], rng: random.Random
) -> tuple[list[set[int]], list[set[int]], bool]:
    """networkx's `_one_level` (undirected, resolution 1): move nodes to the neighbouring community that gains most, until none moves."""
    count = len(adjacency)
    node2com = list(range(count))
    inner = [{u} for u in range(count)]
    totals = list(degrees)
    neighbours = [{v: w for v, w in adjacency[u].items() if v != u} for u in range(count)]
    order = list(range(count))
    rng.shuffle(order)
    twice_m_squared = 2 * m**2
    improvement = False
    moves = 1
    while moves > 0:
        moves = 0
        for u in order:
            best_mod: float = 0
            best_com = node2com[u]
            weights: dict[int, float] = {}
            for v, w in neighbours[u].items():
                com = node2com[v]
                weights[com] = weights.get(com, 0.0) + w
            if best_com not in weights:
                weights[best_com] = 0.0  # networkx's defaultdict adds it here, last
            degree = degrees[u]
            totals[best_com] -= degree
            remove_cost = -weights[best_com] / m + 1 * (totals[best_com] * degree) / twice_m_squared
            for com, w in weights.items():
                gain = remove_cost + w / m - 1 * (totals[com] * degree) / twice_m_squared
                if gain > best_mod:
                    best_mod = gain
                    best_com = com
            totals[best_com] += degree
            if best_com != node2com[u]:
                moved = members[u]
                partition[node2com[u]].difference_update(moved)
                inner[node2com[u]].remove(u)
                partition[best_com].update(moved)
                inner[best_com].add(u)
                improvement = True
                moves += 1
                node2com[u] = best_com
    return [p for p in partition if p], [p for p in inner if p], improvement


def _next_level(adjacency: list[dict[int, Any]], members: list[set[int]], inner: list[set[int]]) -> tuple[list[dict[int, Any]], list[set[int]]]:
    """networkx's `_gen_graph`: one node per community, edge weights added up in the order of the edges."""
    com_of = {}
    merged: list[set[int]] = []
    for i, group in enumerate(inner):
        union: set[int] = set()
        for u in group:
            com_of[u] = i
            union.update(members[u])
        merged.append(union)
    next_adjacency: list[dict[int, Any]] = [{} for _ in inner]
    for u, v, w in _edge_order(adjacency):
        a, b = com_of[u], com_of[v]
        total = w + next_adjacency[a].get(b, 0)
        next_adjacency[a][b] = total
        next_adjacency[b][a] = total
    return next_adjacency, merged


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
