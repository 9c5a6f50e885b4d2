"""The benchmark queries: the gallery (with its default bindings) plus three engine-bound extras.

Why these: the gallery is what users run first; the extras are the shapes the reference measurements
showed to grow with the data (a co-membership self-join, a date-range scan, a label search). The extras
aggregate or LIMIT, so every server returns the same small answer and no row cap gets in the way.

A gallery query's bindings go in a `VALUES` block at the top of its outer `WHERE` (`values_first`):
the engine then starts from the bound entity instead of joining a trailing `VALUES` after scanning
everything (30.6 ms against 0.41 ms for query 02 at 100k). Every server gets this same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.queries import NamedQuery, example_queries

_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)

PREFIXES = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

EXTRAS = {
    "x1-co-membership": PREFIXES
    + """SELECT ?a ?b (COUNT(DISTINCT ?p) AS ?shared) WHERE {
  ?m1 org:organization ?p ; org:member ?a .
  ?m2 org:organization ?p ; org:member ?b .
  FILTER(STR(?a) < STR(?b))
}
GROUP BY ?a ?b
ORDER BY DESC(?shared) ?a ?b
LIMIT 100
""",
    "x2-date-range": PREFIXES
    + """SELECT ?event ?start ?name WHERE {
  ?event a schema:Event ; schema:startDate ?start ; schema:name ?name .
  FILTER(?start >= "2018-01-01"^^xsd:date && ?start < "2018-07-01"^^xsd:date && LANG(?name) = "en")
}
ORDER BY ?start ?event
LIMIT 1000
""",
    "x3-label-search": PREFIXES
    + """SELECT ?thing ?label WHERE {
  ?thing skos:prefLabel ?label .
  FILTER(LANG(?label) = "en" && REGEX(?label, "burg", "i"))
}
ORDER BY ?label ?thing
LIMIT 1000
""",
}


@dataclass(frozen=True)
class BenchQuery:
    """A query as sent over HTTP, and whether it is light (one entity's rows) or engine-bound."""

    name: str
    text: str
    light: bool


def values_first(query: NamedQuery) -> str:
    """The query text with its default bindings as a `VALUES` block opening its outer `WHERE` (comment lines skipped)."""
    if not query.defaults:
        return query.text
    names = " ".join(f"?{name}" for name in query.defaults)
    values = " ".join(str(term) for term in query.defaults.values())
    lines = query.text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        match = None if line.lstrip().startswith("#") else _WHERE.search(line)
        if match:
            lines[i] = f"{line[: match.end()]}\n  VALUES ({names}) {{ ({values}) }}\n{line[match.end() :]}"
            return "".join(lines)
    raise ValueError(f"{query.name}: no WHERE {{ to put the bindings in")


def bench_queries() -> list[BenchQuery]:
    """Gallery queries with default bindings are light (they look up one entity); the rest scan, join or aggregate."""
    gallery = [BenchQuery(q.name, values_first(q), bool(q.defaults)) for q in example_queries()]
    return gallery + [BenchQuery(name, text, False) for name, text in EXTRAS.items()]
