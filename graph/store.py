"""The embedded store: a release loaded into pyoxigraph.

The default graph holds the union of all graphs, loaded from the union dump, and every source's
named graph is there for GRAPH queries. (pyoxigraph's `use_default_graph_as_union` would repeat a
triple once per graph that holds it, so counts would be wrong; an explicit union graph avoids that.)
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox

from graph.config import Settings
from graph.release import Release, dump_path


class QueryError(ValueError):
    """A query that cannot run: bad syntax or an unsupported form."""


def load_store(dumps: Path) -> ox.Store:
    """An in-memory store from a release's dumps folder: the union as default graph, plus every named graph."""
    store = ox.Store()
    store.bulk_load(path=str(dump_path(dumps, "nq")), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(path=str(dump_path(dumps, "nt")), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return store


def load_release_store(settings: Settings) -> ox.Store:
    """The current release of the build folder, in memory (raises FileNotFoundError without a build)."""
    return load_store(Release.open(settings.build_dir).dumps)


Substitutions = dict[ox.Variable, ox.NamedNode | ox.Literal]


def run_query(store: ox.Store, text: str, base: str, substitutions: Substitutions | None = None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    try:
        return store.query(text, base_iri=base, substitutions=substitutions)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from None


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def format_results(store: ox.Store, text: str, fmt: str, base: str, substitutions: Substitutions | None = None) -> str:
    """Results as a text table, CSV or SPARQL JSON (SELECT/ASK), or Turtle/N-Triples (CONSTRUCT)."""
    result = run_query(store, text, base, substitutions)
    if isinstance(result, ox.QueryBoolean):
        return json.dumps({"head": {}, "boolean": bool(result)}) + "\n" if fmt == "json" else f"{bool(result)}\n"
    if isinstance(result, ox.QueryTriples):
        rdf_format = ox.RdfFormat.N_TRIPLES if fmt == "ntriples" else ox.RdfFormat.TURTLE
        return ox.serialize(result, format=rdf_format).decode("utf-8")
    if fmt == "json":
        return result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8") + "\n"
    if fmt == "csv":
        return result.serialize(format=ox.QueryResultsFormat.CSV).decode("utf-8")
    names = [v.value for v in result.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    out = io.StringIO()
    out.write(" | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip() + "\n")
    out.write("-+-".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
    return out.getvalue()
