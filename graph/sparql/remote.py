"""User SPARQL answered by a `GraphStore` (a remote server holding a pushed release), as safely as locally.

The guard still runs in the sandboxed workers (here without a store of their own: they only check
the query and hand back the canonical text), the answer goes through the same serialisers and
row cap, and the fairness rules are the workers'. The store's own time limit applies (its socket
timeout, set from UAEU_QUERY_TIMEOUT); a store that does not answer is `RemoteUnavailable` (503
with Retry-After), never a hang.
"""

from __future__ import annotations

import time
from dataclasses import replace

from graph.sparql.executor import ExecutorError, QueryExecutor, QueryOutcome, QueryRequest, outcome_of
from graph.store import GraphStore, QueryError, StoreError, StoreUnavailable
from graph.store.sparql_text import keywords

GRAPH_FORMS = {"CONSTRUCT", "DESCRIBE"}


class RemoteUnavailable(ExecutorError):
    """The remote server did not answer; carries how long to wait before trying again."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RemoteExecutor:
    """/sparql on a store elsewhere: the guard (in sandboxed workers), serialisers and fairness of the local executor."""

    def __init__(self, store: GraphStore, checker: QueryExecutor) -> None:
        self.store = store
        self.checker = checker

    @property
    def graphs(self) -> list[str]:
        try:
            return self.store.graphs()
        except StoreUnavailable as err:
            raise RemoteUnavailable(str(err), err.retry_after) from None

    def execute(self, request: QueryRequest, timeout: float | None = None, client: str = "") -> QueryOutcome:
        del timeout  # the store's own socket limit applies (set from UAEU_QUERY_TIMEOUT)
        started = time.perf_counter()
        checked = self.checker.execute(replace(request, known_graphs=tuple(self.graphs)), client=client)
        if checked.status != "checked":
            return checked
        request = replace(request, query=checked.body.decode("utf-8"))
        if keywords(request.query) & GRAPH_FORMS and request.graph_format is None:
            return QueryOutcome("not-acceptable", kind="graph")
        try:
            result = self.store.query(request.query, default_graphs=request.default_graphs, named_graphs=request.named_graphs)
        except StoreUnavailable as err:
            raise RemoteUnavailable(str(err), err.retry_after) from None
        except QueryError as err:
            return QueryOutcome("syntax", message=str(err))
        except StoreError as err:
            return QueryOutcome("error", message=str(err))
        try:
            return outcome_of(result, request, started)
        except (SyntaxError, ValueError, OSError) as err:  # the server's answer broke off or was not what it said
            return QueryOutcome("error", message=f"the SPARQL server's answer could not be read: {err}")

    def close(self) -> None:
        self.checker.close()
        self.store.close()
