"""The store interface every backend implements, and the errors callers can rely on.

Callers (web pages, VoID counts, the network, the map, the CLI, /sparql on a remote store) see
rows of pyoxigraph terms, booleans and triples, never a backend's wire format, default-graph
semantics or error shapes. A page written against `GraphStore` therefore runs unchanged on the
embedded store or a remote server. Values are bound (`bindings`), never pasted into query text.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:  # the query loader is imported when a store runs one (a query worker never does)
    from graph.queries import NamedQuery

Term = ox.NamedNode | ox.Literal | ox.BlankNode
Row = dict[str, Term]
Bindings = Mapping[str, ox.NamedNode | ox.Literal]

__all__ = ["Bindings", "GraphStore", "QueryError", "Result", "Row", "Solutions", "StoreError", "StoreUnavailable", "Term"]


class QueryError(ValueError):
    """A query that cannot run: bad syntax or an unsupported form."""


class StoreError(Exception):
    """The store failed in a way that is neither the caller's query nor a temporary outage."""


class StoreUnavailable(StoreError):
    """The store cannot answer now: the server refused the connection, timed out or is restarting.

    The web layer maps this to 503 with `Retry-After: retry_after`; it is raised within the
    backend's time limit, never after a hang.
    """

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Solutions(list[Row]):
    """SELECT rows as {variable: term} (an unbound variable is left out of its row), and the
    projected variables in order (a result with no rows still has its header)."""

    def __init__(self, variables: Sequence[str], rows: Iterable[Row] = ()) -> None:
        super().__init__(rows)
        self.variables = list(variables)


#: What a query gives, by its form: SELECT rows, an ASK answer, or CONSTRUCT/DESCRIBE triples.
Result = Solutions | bool | list[ox.Triple]


class GraphStore(abc.ABC):
    """A release to query: the default graph is the union of the release's graphs (each triple
    once), and every source graph is available by name for GRAPH queries."""

    kind: str = "abstract"

    @abc.abstractmethod
    def query(self, query: str, bindings: Bindings | None = None, *, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = ()) -> Result:
        """Any query form, answered by its form. `default_graphs`/`named_graphs` replace the
        dataset (as the SPARQL Protocol's parameters do); by default it is the release's."""

    def run(self, query: NamedQuery, bindings: Bindings | None = None) -> Result:
        """One of our named queries, with its header's bindings (`bindings` taking their place)."""
        return self.query(query.text, query.bindings(bindings))

    def select(self, query: str, bindings: Bindings | None = None) -> Solutions:
        """SELECT rows as {variable: term}; unbound variables are left out of the row."""
        result = self.query(query, bindings)
        if not isinstance(result, Solutions):
            raise QueryError("not a SELECT query")
        return result

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        """The answer of an ASK query."""
        result = self.query(query, bindings)
        if not isinstance(result, bool):
            raise QueryError("not an ASK query")
        return result

    def construct(self, query: str, bindings: Bindings | None = None) -> list[ox.Triple]:
        """The triples of a CONSTRUCT (or DESCRIBE) query."""
        result = self.query(query, bindings)
        if isinstance(result, Solutions | bool):
            raise QueryError("not a CONSTRUCT or DESCRIBE query")
        return result

    @abc.abstractmethod
    def graphs(self) -> list[str]:
        """The release's named graphs, sorted."""

    @abc.abstractmethod
    def release(self) -> dict[str, Any] | None:
        """The release's build report (release id, counts, ...), or None if the store holds none."""

    def triple_count(self, graph: str | None = None) -> int:
        """Triples in the default graph (the union, each triple once), or in one named graph."""
        from graph.queries import named

        query, bindings = (named("store/count-default"), None) if graph is None else (named("store/count-graph"), {"g": ox.NamedNode(graph)})
        rows = self.select(query.text, bindings)
        return int(rows[0]["n"].value) if rows else 0

    def close(self) -> None:  # noqa: B027 - most backends have nothing to release
        """Release connections or file locks; the store must not be used afterwards."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
