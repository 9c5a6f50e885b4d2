"""The remote backend: any SPARQL 1.1 server, queried through SPARQLWrapper.

Default-graph semantics differ between servers (Virtuoso's default graph is the union of every
graph it holds, system graphs included, with a triple repeated once per graph; Oxigraph's is a
graph of its own). So this backend never relies on a server's default graph: `uaeu push` writes
the union of the release into one graph (`UNION_GRAPH`) and a manifest listing the release's
graphs, and every query goes out with an explicit dataset, written into its text as FROM
<union graph> and, when the query uses GRAPH, FROM NAMED <each release graph>. The answers are then
the embedded store's on every server that implements SPARQL datasets. A query with its own FROM /
FROM NAMED keeps its dataset.

Queries go as form-encoded POSTs (Virtuoso 7.2 hangs on a raw `application/sparql-query` body)
with a socket time limit, and every failure to reach the server (refused, reset, timed out,
502/503/504) is raised as `StoreUnavailable`, which the web layer turns into 503 + Retry-After.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from SPARQLWrapper import DIGEST, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, EndPointNotFound, QueryBadFormed, SPARQLWrapperException, Unauthorized

from graph.queries import named
from graph.store.base import Bindings, GraphStore, QueryError, Result, Solutions, StoreError, StoreUnavailable
from graph.store.sparql_text import inject_values, keywords, with_dataset

# Where `uaeu push` keeps the release on a server (internal names, never shown to users).
NS = "urn:uaeu:push:"
UNION_GRAPH = NS + "union"
MANIFEST_GRAPH = NS + "manifest"
RELEASE_NODE = NS + "release"
P_ID = NS + "id"
P_GRAPH = NS + "graph"
P_REPORT = NS + "report"
NO_GRAPH = NS + "none"  # a graph that never exists: an empty named-graph set
#: Query forms answered with triples (the others with SPARQL results).
GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})

DEFAULT_TIMEOUT = 10.0
MANIFEST_ATTEMPTS = 10


@dataclass(frozen=True)
class Manifest:
    """What `uaeu push` recorded about the release on the server."""

    release_id: str | None = None
    graphs: tuple[str, ...] = ()
    report: dict[str, Any] | None = None
    read_at: float = field(default=0.0, compare=False)


def translate_error(err: BaseException, url: str) -> Exception:
    """One of our error types for whatever urllib / SPARQLWrapper raised."""
    if isinstance(err, QueryBadFormed):
        return QueryError(f"the server refused the query: {_detail(err)}")
    if isinstance(err, urllib.error.HTTPError):
        if err.code in (502, 503, 504):
            return StoreUnavailable(f"SPARQL server at {url} answered {err.code}")
        if err.code == 400:
            return QueryError(f"the server refused the query: {err.read().decode('utf-8', 'replace')[:500]}")
        return StoreError(f"SPARQL server at {url} answered {err.code} {err.reason}")
    if isinstance(err, EndPointInternalError):
        detail = _detail(err)
        if "SP030" in detail or "syntax" in detail.lower():  # Virtuoso reports syntax errors as 500
            return QueryError(f"the server refused the query: {detail}")
        return StoreError(f"SPARQL server at {url} failed: {detail}")
    if isinstance(err, EndPointNotFound | Unauthorized | SPARQLWrapperException):
        return StoreError(f"SPARQL server at {url}: {_detail(err)}")
    if isinstance(err, TimeoutError | socket.timeout):
        return StoreUnavailable(f"SPARQL server at {url} did not answer in time")
    if isinstance(err, urllib.error.URLError | ConnectionError | http.client.HTTPException | OSError):
        reason = getattr(err, "reason", err)
        return StoreUnavailable(f"SPARQL server at {url} is unreachable: {reason}")
    return err if isinstance(err, Exception) else StoreError(str(err))


def _detail(err: BaseException) -> str:
    return " ".join(str(getattr(err, "msg", "") or err).split())[:500]


class RemoteStore(GraphStore):
    """A release pushed to a SPARQL 1.1 server by `uaeu push`, queried over HTTP."""

    kind = "sparql"

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        manifest_ttl: float = 5.0,
        user: str | None = None,
        password: str | None = None,
        base: str | None = None,
    ) -> None:
        """`endpoint` is the server's query URL (Oxigraph `/query`, Virtuoso `/sparql`).

        `timeout` bounds connecting and each read; `manifest_ttl` is how long the list of the
        release's graphs is reused before it is read again (a push done elsewhere shows up in
        GRAPH queries within that time; default-graph queries see it at once). `base` resolves
        relative IRIs in queries (sent to the server as a BASE declaration).
        """
        self.endpoint = endpoint
        self.base = base
        self.timeout = timeout
        self.manifest_ttl = manifest_ttl
        self.user = user
        self.password = password
        self._manifest: Manifest | None = None
        self._lock = threading.Lock()

    # -- wire ---------------------------------------------------------------------------------
    def _send(self, text: str, return_format: str) -> tuple[bytes, str]:
        sw = SPARQLWrapper(self.endpoint)
        sw.setMethod(POST)  # form-encoded; never POSTDIRECTLY (hangs Virtuoso 7.2)
        sw.setTimeout(max(1, round(self.timeout)))
        sw.setReturnFormat(return_format)
        if self.user and self.password:
            sw.setHTTPAuth(DIGEST)
            sw.setCredentials(self.user, self.password)
        sw.setQuery(text)
        try:
            result = sw.query()
            body = result.response.read()
            headers = result.response.info()
        except Exception as err:
            raise translate_error(err, self.endpoint) from err
        if str(headers.get("X-SQL-State", "")).startswith("S1TAT"):
            # Virtuoso's "anytime" answer: partial results cut off by its own time limit.
            raise StoreError("the server stopped the query at its time limit and sent partial results")
        return body, str(headers.get("Content-Type", ""))

    def _prepare(self, text: str, bindings: Bindings | None, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
        """Bindings as VALUES; the dataset asked for, else the release's, as FROM / FROM NAMED (unless the query has its own)."""
        query = inject_values(text, bindings)
        words = keywords(query)
        if default_graphs or named_graphs:
            query = with_dataset(query, default_graphs, named_graphs)
        elif "FROM" not in words:
            named = list(self.manifest().graphs or (NO_GRAPH,)) if "GRAPH" in words else []
            query = with_dataset(query, [UNION_GRAPH], named)
        # Our named queries may use IRIs relative to the base; a remote server needs them resolved.
        return f"BASE <{self.base}>\n{query}" if self.base else query

    # -- interface ----------------------------------------------------------------------------
    def query(self, query: str, bindings: Bindings | None = None, *, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = ()) -> Result:
        text = self._prepare(query, bindings, default_graphs, named_graphs)
        if keywords(query) & GRAPH_FORMS:
            body, content_type = self._send(text, TURTLE)
            fmt = ox.RdfFormat.N_TRIPLES if "n-triples" in content_type else ox.RdfFormat.N_QUADS if "n-quads" in content_type else ox.RdfFormat.TURTLE
            try:
                return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, format=fmt)]
            except SyntaxError as err:
                raise StoreError(f"unreadable triples from {self.endpoint} ({content_type}): {err}") from None
        body, content_type = self._send(text, JSON)
        results_format = ox.QueryResultsFormat.XML if "xml" in content_type else ox.QueryResultsFormat.JSON
        try:
            result = ox.parse_query_results(body, format=results_format)
            if isinstance(result, ox.QueryBoolean):
                return bool(result)
            names = [v.value for v in result.variables]
            return Solutions(names, ({name: term for name in names if (term := solution[name]) is not None} for solution in result))
        except (SyntaxError, ValueError) as err:
            raise StoreError(f"unreadable results from {self.endpoint} ({content_type}): {err}") from None

    def manifest(self, *, refresh: bool = False) -> Manifest:
        """The release's manifest, read again when older than `manifest_ttl` seconds."""
        with self._lock:
            cached = self._manifest
            if cached is not None and not refresh and time.monotonic() - cached.read_at < self.manifest_ttl:
                return cached
        query = named("store/manifest")
        text = with_dataset(inject_values(query.text, query.defaults), [NO_GRAPH], [MANIFEST_GRAPH])
        # Virtuoso can answer a read that overlaps a push's swap with a torn manifest (a row whose
        # value is unbound, or an id without its report): read it again briefly rather than trust it.
        for attempt in range(MANIFEST_ATTEMPTS):
            body, _ = self._send(text, JSON)
            release_id, graphs, report, torn = None, [], None, False
            solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
            if not isinstance(solutions, ox.QuerySolutions):
                raise StoreError(f"{self.endpoint} answered the manifest query with a boolean")
            for solution in solutions:
                predicate, value = solution["p"], solution["o"]
                if predicate is None or value is None:
                    torn = True
                elif predicate == ox.NamedNode(P_ID):
                    release_id = value.value
                elif predicate == ox.NamedNode(P_GRAPH):
                    graphs.append(value.value)
                elif predicate == ox.NamedNode(P_REPORT):
                    report = json.loads(value.value)
            if not torn and (release_id is None) == (report is None):
                break
            if attempt == MANIFEST_ATTEMPTS - 1:
                raise StoreUnavailable(f"{self.endpoint} returned an incomplete release manifest (a push may be in progress)", retry_after=2)
            time.sleep(0.2)
        manifest = Manifest(release_id, tuple(sorted(graphs)), report, time.monotonic())
        with self._lock:
            self._manifest = manifest
        return manifest

    def graphs(self) -> list[str]:
        return list(self.manifest().graphs)

    def release(self) -> dict[str, Any] | None:
        return self.manifest().report

    def ping(self) -> None:
        """Raise `StoreUnavailable` unless the server answers a trivial query within the limit."""
        self._send(with_dataset("ASK {}", [NO_GRAPH], []), JSON)
