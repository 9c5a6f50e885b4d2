"""The benchmark queries: the gallery (with its default bindings) plus three engine-bound extras.

Why these: the gallery is what users run first; the extras are the shapes the reference measurements
showed to grow with the data (a co-membership self-join, a date-range scan, a label search). The extras
aggregate or LIMIT, so every server returns the same small answer and no row cap gets in the way.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.queries import example_queries

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


def bench_queries() -> list[BenchQuery]:
    """Gallery queries with default bindings are light (they look up one entity); the rest scan, join or aggregate."""
    gallery = [BenchQuery(q.name, q.standalone(), bool(q.defaults)) for q in example_queries()]
    return gallery + [BenchQuery(name, text, False) for name, text in EXTRAS.items()]
