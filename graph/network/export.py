"""Exports that open intact in the tools analysts use: Gephi (GEXF), yEd/igraph (GraphML), Cytoscape, D3, spreadsheets.

Every export carries the meta block (kind, weighting, parameters, release): GEXF in its
<meta><description>, GraphML as graph-level keys, JSON as a `meta` member, CSV as columns on every
edge (`weighting`) and in `network_meta()` for a caller that writes a side file.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any
from xml.etree.ElementTree import ElementTree, SubElement

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from graph.formats import NETWORK_FORMATS
from graph.network.model import Network

FIRST_NODE_COLUMNS = ("id", "label", "kind")
FIRST_EDGE_COLUMNS = ("source", "target", "weight", "weighting")


def _graph_of(network: Network | nx.Graph[str]) -> nx.Graph[str]:
    return network.graph if isinstance(network, Network) else network


def network_meta(network: Network | nx.Graph[str]) -> dict[str, Any]:
    """The meta block of a network (empty for a plain graph built elsewhere)."""
    return dict(_graph_of(network).graph.get("meta", {}))


def spells_text(spells: list[tuple[str | None, str | None]]) -> str:
    """Spells as ISO 8601 intervals, '..' for an open side: '2017-01-01/2018-12-31; 2025-01-01/..'."""
    return "; ".join(f"{start or '..'}/{end or '..'}" for start, end in spells)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple | list):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


def _scalar_copy(graph: nx.Graph[str], keep_spells: bool) -> nx.Graph[str]:
    """A copy with only str/int/float/bool attribute values (what GEXF and GraphML can type)."""
    copy: nx.Graph[str] = nx.Graph()
    for node, data in graph.nodes(data=True):
        attrs = {k: v for k, v in data.items() if v is not None and k != "spells"}
        if data.get("spells"):
            attrs["spells" if keep_spells else "periods"] = data["spells"] if keep_spells else spells_text(data["spells"])
        copy.add_node(node, **attrs)
    for u, v, data in graph.edges(data=True):
        attrs = {k: val for k, val in data.items() if val is not None and k != "spells"}
        if data.get("spells"):
            attrs["spells" if keep_spells else "periods"] = data["spells"] if keep_spells else spells_text(data["spells"])
        copy.add_edge(u, v, **attrs)
    return copy


def _describe(meta: dict[str, Any]) -> str:
    return json.dumps(
        {k: meta.get(k) for k in ("kind", "weighting", "weighting_definition", "parameters", "window", "dates", "evidence_note", "release")},
        ensure_ascii=False,
        sort_keys=True,
    )


def to_gexf(network: Network | nx.Graph[str]) -> bytes:
    """GEXF 1.2 with typed attributes, labels, weights, and membership periods as spells (Gephi's timeline)."""
    graph = _graph_of(network)
    meta = network_meta(graph)
    copy = _scalar_copy(graph, keep_spells=True)
    # an open spell side stays open in Gephi; name the graph so Gephi's workspace says what it is
    copy.graph["name"] = f"uaeu {meta.get('kind', 'network')} ({meta.get('weighting', '')})"
    writer = GEXFWriter(version="1.2draft", prettyprint=True)
    writer.add_graph(copy)
    meta_element = writer.xml.find("meta")
    if meta_element is not None:
        SubElement(meta_element, "description").text = _describe(meta)
        SubElement(meta_element, "keywords").text = f"Urban Agenda for the EU, {meta.get('kind', '')}, weighting={meta.get('weighting', '')}"
    writer.indent(writer.xml)
    out = io.BytesIO()
    ElementTree(writer.xml).write(out, encoding="utf-8", xml_declaration=True)
    return out.getvalue()


def to_graphml(network: Network | nx.Graph[str]) -> bytes:
    """GraphML with typed keys; graph-level keys carry kind, weighting, release and the parameters as JSON."""
    graph = _graph_of(network)
    meta = network_meta(graph)
    copy = _scalar_copy(graph, keep_spells=False)
    copy.graph.update(
        kind=str(meta.get("kind", "")),
        weighting=str(meta.get("weighting", "")),
        weighting_definition=str(meta.get("weighting_definition", "")),
        release=str(meta.get("release", "")),
        dates=str(meta.get("dates", "")),
        parameters=json.dumps(meta.get("parameters", {}), sort_keys=True),
    )
    out = io.BytesIO()
    nx.write_graphml(copy, out, encoding="utf-8", prettyprint=True)
    return out.getvalue()


def to_cytoscape_json(network: Network | nx.Graph[str]) -> dict[str, Any]:
    """Cytoscape.js / Cytoscape desktop JSON (`elements`), with the meta block as the network's `data`."""
    graph = _graph_of(network)
    copy: nx.Graph[str] = nx.Graph()
    copy.add_nodes_from(graph.nodes(data=True))
    copy.add_edges_from(graph.edges(data=True))
    data = nx.cytoscape_data(copy)
    data["data"] = network_meta(graph)
    safe: dict[str, Any] = _json_safe(data)
    return safe


def _node_link_raw(network: Network | nx.Graph[str]) -> dict[str, Any]:
    graph = _graph_of(network)
    data = nx.node_link_data(graph, edges="edges")
    data["graph"] = {k: v for k, v in data["graph"].items() if k != "meta"}
    data["meta"] = network_meta(graph)
    return data


def to_node_link(network: Network | nx.Graph[str]) -> dict[str, Any]:
    """Node-link JSON (D3, nx.node_link_graph) with a `meta` block: parameters, weighting, release."""
    safe: dict[str, Any] = _json_safe(_node_link_raw(network))
    return safe


def _compact_json(data: Any) -> bytes:
    """Compact UTF-8 JSON; NaN and infinities as null (checked by the encoder first: walking every value costs more)."""
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        text = json.dumps(_json_safe(data), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def _columns(rows: list[dict[str, Any]], first: tuple[str, ...]) -> list[str]:
    keys = {k for row in rows for k in row}
    return [k for k in first if k in keys or k in ("id", "source", "target")] + sorted(keys - set(first))


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return spells_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def to_csv(network: Network | nx.Graph[str]) -> tuple[str, str]:
    """(nodes CSV, edges CSV); spells as ISO intervals; every edge row names the weighting."""
    graph = _graph_of(network)
    weighting = network_meta(graph).get("weighting", "")
    nodes = [{"id": n, **{k: _cell(v) for k, v in d.items()}} for n, d in graph.nodes(data=True)]
    edges = [{"source": u, "target": v, "weighting": weighting, **{k: _cell(x) for k, x in d.items()}} for u, v, d in graph.edges(data=True)]
    texts = []
    for rows, first in ((nodes, FIRST_NODE_COLUMNS), (edges, FIRST_EDGE_COLUMNS)):
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=_columns(rows, first), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        texts.append(out.getvalue())
    return texts[0], texts[1]


#: The export formats by name (graph.formats holds their media types and extensions).
FORMATS = NETWORK_FORMATS


def export(network: Network | nx.Graph[str], fmt: str) -> bytes | tuple[str, str]:
    """One entry point for the CLI and the web layer: bytes, or (nodes, edges) for csv."""
    if fmt == "json":
        return _compact_json(_node_link_raw(network))
    if fmt == "cyjs":
        return json.dumps(to_cytoscape_json(network), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt == "gexf":
        return to_gexf(network)
    if fmt == "graphml":
        return to_graphml(network)
    if fmt == "csv":
        return to_csv(network)
    raise ValueError(f"unknown format '{fmt}' (expected one of: {', '.join(FORMATS)})")


def path_text(found: dict[str, Any]) -> str:
    """A shortest connection (`shortest_connection`) as lines of text: each step, both sides' roles, evidence and sources."""
    if not found["connected"]:
        return f"no connection between {found['from']} and {found['to']} under these filters\n"
    lines = [f"{found['organisations'][0]['label']} -> {found['organisations'][-1]['label']}: {found['partnerships_between']} partnership step(s)"]
    for step in found["steps"]:
        for link in step["links"]:
            left, right = link["sides"]
            lines.append(
                f"  {left['label']} ({'/'.join(left['roles'])}, {left['evidence']}) -- {link['label']} -- {right['label']} ({'/'.join(right['roles'])}, {right['evidence']})"
            )
            for side in (left, right):
                lines.append(f"      {side['label']}: sources {' '.join(s.rsplit('/', 1)[-1] for s in side['sources'])}")
    return "\n".join(lines) + "\n"
