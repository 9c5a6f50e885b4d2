"""A network from edge rows: any SELECT with ?source ?target (optionally ?weight ?start ?end) becomes a graph.

Why: a researcher's own question ("which cities hosted events of the same partnership?") is often a
network the built-in kinds do not cover. Turning its rows into the same networkx graph, with the same
metrics and exporters, lets the query editor hand any such answer to the network view and downloads.
Rows come as SPARQL JSON bindings ({"type": "uri"|"literal"|"bnode", "value": ...}), no Flask here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from graph.dates import DateFormatError, Span, earliest_and_latest
from graph.network.extract import merge_spans
from graph.network.metrics import annotate
from graph.network.model import Network, NetworkOptionError

REQUIRED = ("source", "target")
OPTIONAL = ("weight", "start", "end", "sourceLabel", "targetLabel")


def _label(term: Mapping[str, str], given: Mapping[str, str] | None) -> str:
    if given and given.get("value"):
        return given["value"]
    value = term["value"]
    if term.get("type") == "uri":
        return value.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or value
    return value


def _span(start: str, end: str, row_number: int) -> Span:
    """The period a row's edge covers; partial dates in their widest reading, datetimes cut to the day."""
    try:
        low = earliest_and_latest(start[:10])[0] if start else None
        high = earliest_and_latest(end[:10])[1] if end else None
    except DateFormatError as err:
        raise NetworkOptionError(f"row {row_number}: ?start/?end must be dates (YYYY, YYYY-MM or YYYY-MM-DD): {err}") from None
    return Span(low, high)


def network_from_rows(variables: Iterable[str], rows: Iterable[Mapping[str, Mapping[str, str]]], meta: Mapping[str, Any] | None = None) -> Network:
    """An undirected graph with one node per distinct ?source/?target term and one edge per pair.

    Repeated pairs add up: the weight is the sum of ?weight (1 per row without one), `rows` counts
    them, and every row's ?start/?end becomes a spell of the edge (and of its two nodes), so the date
    handling and the GEXF timeline work as for the built-in networks. Rows missing ?source or ?target
    are skipped and counted; a self-loop is kept out of the metrics but counted too.
    """
    names = list(variables)
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise NetworkOptionError(f"query: a network needs the variables ?source and ?target in the SELECT (missing: {', '.join('?' + m for m in missing)})")
    graph: nx.Graph[str] = nx.Graph()
    edge_spans: dict[tuple[str, str], list[Span]] = {}
    node_spans: dict[str, list[Span]] = {}
    skipped = loops = count = 0
    for number, row in enumerate(rows, start=1):
        count += 1
        source, target = row.get("source"), row.get("target")
        if not source or not target:
            skipped += 1
            continue
        ends = []
        for term, label in ((source, row.get("sourceLabel")), (target, row.get("targetLabel"))):
            node = term["value"]
            if node not in graph:
                graph.add_node(node, label=_label(term, label), kind=term.get("type", "literal"))
            ends.append(node)
        a, b = ends
        if a == b:
            loops += 1
            continue
        weight = 1.0
        if row.get("weight"):
            try:
                weight = float(row["weight"]["value"])
            except ValueError:
                raise NetworkOptionError(f"row {number}: ?weight must be a number, not '{row['weight']['value']}'") from None
        if graph.has_edge(a, b):
            graph.edges[a, b]["weight"] += weight
            graph.edges[a, b]["rows"] += 1
        else:
            graph.add_edge(a, b, weight=weight, rows=1)
        start, end = (row.get("start") or {}).get("value", ""), (row.get("end") or {}).get("value", "")
        if start or end:
            span = _span(start, end, number)
            edge_spans.setdefault((min(a, b), max(a, b)), []).append(span)
            node_spans.setdefault(a, []).append(span)
            node_spans.setdefault(b, []).append(span)
    for (a, b), spans in edge_spans.items():
        graph.edges[a, b]["spells"] = [s.as_spell() for s in merge_spans(spans)]
    for node, spans in node_spans.items():
        graph.nodes[node]["spells"] = [s.as_spell() for s in merge_spans(spans)]
    graph.graph["meta"] = {
        "kind": "query",
        "weighting": "sum of ?weight over the rows of a pair (1 per row without ?weight)",
        "weighting_definition": "the query's own weights, added up over repeated (source, target) rows",
        "parameters": {},
        "counts": {
            "rows": count,
            "rows_without_source_or_target": skipped,
            "self_loops_left_out": loops,
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
        },
        "node_ids": "the ?source and ?target values (IRIs or literals)",
        **(meta or {}),
    }
    annotate(graph)
    return Network(graph, graph.graph["meta"])
