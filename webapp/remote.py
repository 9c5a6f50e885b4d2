"""Serve the web app from a remote SPARQL server holding a release written by `uaeu push`.

Pages, the network and the map run our named queries through `store.query(...)`, the embedded
pyoxigraph call. `RemoteQueryStore` answers the same call from a `RemoteStore`, so no page knows
where the data lives; `RemoteExecutor` does for /sparql what the worker pool does locally. Both
raise `StoreUnavailable` when the server is down or slow, which the app turns into a 503 with
Retry-After within the time limit.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pyoxigraph as ox

from graph.sparql.executor import ExecutorError, QueryExecutor, QueryOutcome, QueryRequest, outcome_of
from graph.store import QueryError, StoreError, StoreUnavailable
from graph.store.remote import RemoteStore
from graph.store.sparql_text import keywords, with_dataset

GRAPH_FORMS = {"CONSTRUCT", "DESCRIBE"}


class RemoteUnavailable(ExecutorError):
    """The remote server did not answer; carries how long to wait before trying again."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _with_base(text: str, base_iri: str | None) -> str:
    # Our named queries may use IRIs relative to the base; a remote server needs them resolved.
    return f"BASE <{base_iri}>\n{text}" if base_iri else text


class RemoteQueryStore:
    """The subset of `pyoxigraph.Store` our pages use, answered by a remote release."""

    def __init__(self, remote: RemoteStore) -> None:
        self.remote = remote

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None,
        use_default_graph_as_union: bool = False,
    ) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """Run a SELECT/ASK (pyoxigraph result objects) or CONSTRUCT/DESCRIBE (a list of triples)."""
        del use_default_graph_as_union  # the remote release's default graph is always the union
        bindings = {variable.value: term for variable, term in (substitutions or {}).items()}
        text = _with_base(query, base_iri)
        if keywords(query) & GRAPH_FORMS:
            return self.remote.construct(text, bindings)
        return self.remote._results(text, bindings)

    def named_graphs(self) -> list[ox.NamedNode]:
        return [ox.NamedNode(g) for g in self.remote.graphs()]


class RemoteExecutor:
    """/sparql on a remote release: the same guard (in sandboxed workers), serialisers and fairness; the server's time limit."""

    def __init__(self, remote: RemoteStore, checker: QueryExecutor) -> None:
        self.remote = remote
        self.checker = checker

    @property
    def graphs(self) -> list[str]:
        try:
            return self.remote.graphs()
        except StoreUnavailable as err:
            raise RemoteUnavailable(str(err), err.retry_after) from None

    def execute(self, request: QueryRequest, timeout: float | None = None, client: str = "") -> QueryOutcome:
        del timeout  # the remote store's own socket limit applies (set from UAEU_QUERY_TIMEOUT)
        started = time.perf_counter()
        checked = self.checker.execute(replace(request, known_graphs=tuple(self.graphs)), client=client)
        if checked.status != "checked":
            return checked
        text = checked.body.decode("utf-8")
        request = replace(request, query=text)
        if request.default_graphs or request.named_graphs:
            text = with_dataset(text, list(request.default_graphs), list(request.named_graphs))
        text = _with_base(text, request.base_iri)
        try:
            if keywords(request.query) & GRAPH_FORMS:
                if request.graph_format is None:
                    return QueryOutcome("not-acceptable", kind="graph")
                result: object = self.remote.construct(text)
            else:
                result = self.remote._results(text, None)
        except StoreUnavailable as err:
            raise RemoteUnavailable(str(err), err.retry_after) from None
        except QueryError as err:
            return QueryOutcome("syntax", message=str(err))
        except StoreError as err:
            return QueryOutcome("error", message=str(err))
        return outcome_of(result, request, started)

    def close(self) -> None:
        self.checker.close()
        self.remote.close()
