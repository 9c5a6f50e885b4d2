"""Node metrics, components and communities of a network, computed with networkx.

Betweenness and closeness count hops (every edge one step): a weight here measures how strong a tie
is, not how long, so it is not a distance. Weighted degree, eigenvector centrality and Louvain
communities use the weight. Louvain runs with a fixed seed, so communities repeat run to run.
"""

from __future__ import annotations

from typing import Any, cast

import networkx as nx

LOUVAIN_SEED = 42
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


def _eigenvector(graph: nx.Graph[str]) -> dict[Any, float]:
    if graph.number_of_edges() == 0:
        return dict.fromkeys(graph, 0.0)
    try:
        return nx.eigenvector_centrality(graph, weight="weight", max_iter=1000, tol=1e-08)
    except nx.PowerIterationFailedConvergence:
        return dict.fromkeys(graph, float("nan"))


def metrics(graph: nx.Graph[str], found: list[set[Any]] | None = None) -> dict[Any, dict[str, float | int]]:
    """Every metric for every node: {node: {metric: value}} (`found`: communities already computed)."""
    if graph.number_of_nodes() == 0:
        return {}
    bipartite = all("bipartite" in d for _, d in graph.nodes(data=True))
    degree = dict(graph.degree())
    weighted = dict(graph.degree(weight="weight"))
    betweenness = nx.betweenness_centrality(graph, normalized=True)
    closeness = nx.closeness_centrality(graph)
    eigenvector = _eigenvector(graph)
    # nx.clustering answers a dict for a whole graph (a float only when asked about one node).
    clustering = cast(dict[Any, float], nx.bipartite.clustering(graph) if bipartite else nx.clustering(graph))
    component_of = {n: i for i, c in enumerate(components(graph)) for n in c}
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


def summary(graph: nx.Graph[str], found: list[set[Any]] | None = None) -> dict[str, Any]:
    """Whole-network figures for the meta block."""
    found = communities(graph) if found is None else found
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "density": nx.density(graph) if graph.number_of_nodes() > 1 else 0.0,
        "components": nx.number_connected_components(graph) if graph.number_of_nodes() else 0,
        "communities": len(found),
        "modularity": nx.community.modularity(graph, found, weight="weight") if graph.number_of_edges() else 0.0,
        "louvain_seed": LOUVAIN_SEED,
        "notes": METRIC_NOTES,
    }


def annotate(graph: nx.Graph[str]) -> nx.Graph[str]:
    """Write the metrics onto the nodes and the summary into the meta block (in place)."""
    found = communities(graph)
    for node, values in metrics(graph, found).items():
        graph.nodes[node].update(values)
    graph.graph.setdefault("meta", {})["metrics"] = summary(graph, found)
    return graph
