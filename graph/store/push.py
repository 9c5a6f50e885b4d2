"""`uaeu push`: load a build into a SPARQL 1.1 server, replacing the previous release at once.

How a release is replaced without a window in which queries see half of it:

1. Stage: every graph of the new release (and its union) is uploaded with the Graph Store
   Protocol (HTTP PUT per graph; one POST of N-Quads where the server takes a dataset, as
   Oxigraph's /store does) into a fresh staging graph `urn:uaeu:push:staging:<token>:<n>`. Queries
   made through `RemoteStore` never see staging graphs: their dataset is always explicit (the
   union graph as default graph, the manifest's graphs as named graphs).
2. Switch: one SPARQL Update request empties the release graphs, copies each staging graph
   into its release graph, empties the staging graphs, DROPs the graphs of the previous release that the new one no
   longer has, and rewrites the manifest. A server runs one update request as one transaction
   (Oxigraph does; Virtuoso runs a request in one transaction unless told to autocommit rows),
   so readers see the old release or the new one. tests/test_push.py checks this on both
   servers with readers running during the switch.
3. After a failure the staging graphs are dropped, so a failed push leaves the previous
   release as it was (and no leftovers).

Endpoints: `--endpoint` is the query URL. For an Oxigraph server (`.../query`) the update and
store URLs are `.../update` and `.../store`; for Virtuoso (`.../sparql`) they are the
digest-protected `.../sparql-auth` and `.../sparql-graph-crud-auth` (user and password given), or
`.../sparql` and `.../sparql-graph-crud` after `GRANT SPARQL_UPDATE TO "SPARQL"` (loopback only).
"""

from __future__ import annotations

import contextlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from SPARQLWrapper import DIGEST, POST, SPARQLWrapper

from graph.formats import write_rdf
from graph.release import Release
from graph.store.remote import MANIFEST_GRAPH, NS, P_GRAPH, P_ID, P_REPORT, RELEASE_NODE, UNION_GRAPH, RemoteStore, translate_error
from graph.store.sparql_text import serialise_iri, serialise_term

PUSH_TIMEOUT = 120.0


@dataclass(frozen=True)
class Endpoints:
    """Where to query, update and PUT graphs, and how the store URL names a graph."""

    query: str
    update: str
    store: str
    graph_param: str = "graph"
    quads_upload: bool = False  # the store URL takes a whole N-Quads dataset in one POST (Oxigraph)
    user: str | None = None
    password: str | None = None


def endpoints_for(
    query_url: str, update_url: str | None = None, store_url: str | None = None, user: str | None = None, password: str | None = None
) -> Endpoints:
    """The update and Graph Store URLs, defaulted from the query URL for Oxigraph and Virtuoso."""
    for url in (query_url, update_url, store_url):
        if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"not an http(s) URL: {url}")
    parsed = urllib.parse.urlsplit(query_url)
    path = parsed.path.rstrip("/")
    graph_param, quads_upload = "graph", False
    if path.endswith("/query"):  # Oxigraph server
        quads_upload = store_url is None
        root = path[: -len("/query")]
        update = update_url or urllib.parse.urlunsplit(parsed._replace(path=root + "/update", query=""))
        store = store_url or urllib.parse.urlunsplit(parsed._replace(path=root + "/store", query=""))
    elif path.endswith("/sparql"):  # Virtuoso
        root = path[: -len("/sparql")]
        auth = "-auth" if user else ""
        update = update_url or urllib.parse.urlunsplit(parsed._replace(path=f"{root}/sparql{auth}", query=""))
        store = store_url or urllib.parse.urlunsplit(parsed._replace(path=f"{root}/sparql-graph-crud{auth}", query=""))
        graph_param = "graph-uri"
    else:
        if not (update_url and store_url):
            raise ValueError(f"cannot tell the update and Graph Store URLs from {query_url}: give --update-url and --store-url")
        update, store = update_url, store_url
    if store_url and "sparql-graph-crud" not in store_url:
        graph_param = "graph"
    return Endpoints(query_url, update, store, graph_param, quads_upload, user, password)


@dataclass(frozen=True)
class PushResult:
    release: str
    graphs: int
    quads: int
    triples: int
    dropped: int
    seconds: float


def read_release(build_dir: Path) -> tuple[dict[str, object], dict[str, bytes], bytes]:
    """The current release's report, each named graph as N-Triples, and the union as N-Triples.

    The release is pinned once, so a build finishing meanwhile cannot mix two releases in one push.
    """
    release = Release.open(build_dir)
    by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in ox.parse(path=str(release.dump("nq")), format=ox.RdfFormat.N_QUADS):
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise ValueError(f"{release.dump('nq')}: a quad outside a named graph; push expects every quad in a source graph")
        by_graph[quad.graph_name.value].append(ox.Triple(quad.subject, quad.predicate, quad.object))
    graphs = {name: write_rdf(triples, ox.RdfFormat.N_TRIPLES) for name, triples in sorted(by_graph.items())}
    return dict(release.report), graphs, release.dump("nt").read_bytes()


class Pusher:
    """One push to one server (see the module docstring for the steps and their guarantee)."""

    def __init__(self, endpoints: Endpoints, timeout: float = PUSH_TIMEOUT) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self._digest: urllib.request.HTTPDigestAuthHandler | None = None
        if endpoints.user and endpoints.password:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, endpoints.store, endpoints.user, endpoints.password)
            self._digest = urllib.request.HTTPDigestAuthHandler(passwords)
        self._opener = urllib.request.build_opener(*([self._digest] if self._digest else []))

    def _authorise(self, request: urllib.request.Request) -> None:
        """Add a Digest Authorization header before sending a body.

        urllib answers a 401 by sending the request again, but Virtuoso closes the connection
        while a large body is still being sent (broken pipe); so fetch the challenge with an
        empty GET first and send the body once, already authorised.
        """
        if self._digest is None:
            return
        probe = urllib.request.Request(request.full_url, method="GET")  # noqa: S310 - http(s) only, checked in endpoints_for
        try:
            with urllib.request.urlopen(probe, timeout=self.timeout) as response:  # noqa: S310
                response.read()
            return
        except urllib.error.HTTPError as err:
            challenge = err.headers.get("WWW-Authenticate", "")
            err.read()
            if err.code != 401 or not challenge.lower().startswith("digest "):
                return
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(challenge[len("digest ") :]))
        authorization = self._digest.get_authorization(request, fields)
        if authorization:
            request.add_unredirected_header("Authorization", f"Digest {authorization}")

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Graph Store Protocol PUT: the graph's content replaced by `ntriples`."""
        serialise_iri(graph)
        url = f"{self.endpoints.store}?{urllib.parse.urlencode({self.endpoints.graph_param: graph})}"
        # N-Triples is Turtle, and every GSP server reads Turtle (Virtuoso 7 does not know application/n-triples).
        request = urllib.request.Request(url, data=ntriples, method="PUT", headers={"Content-Type": "text/turtle; charset=utf-8"})  # noqa: S310 - http(s) only
        try:
            self._authorise(request)
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
        except Exception as err:
            raise translate_error(err, self.endpoints.store) from err

    def post_quads(self, nquads: bytes) -> None:
        """Graph Store Protocol POST of a whole dataset (Oxigraph's `/store`): one request, not one per graph."""
        request = urllib.request.Request(self.endpoints.store, data=nquads, method="POST", headers={"Content-Type": "application/n-quads"})  # noqa: S310 - http(s) only
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
        except Exception as err:
            raise translate_error(err, self.endpoints.store) from err

    def stage(self, staging: dict[str, str], graphs: dict[str, bytes], union: bytes) -> None:
        """Upload the release into its staging graphs."""
        if self.endpoints.quads_upload:
            quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(staging[UNION_GRAPH])) for t in ox.parse(union, format=ox.RdfFormat.N_TRIPLES)]
            for name, body in graphs.items():
                target = ox.NamedNode(staging[name])
                quads += [ox.Quad(t.subject, t.predicate, t.object, target) for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            self.post_quads(write_rdf(quads, ox.RdfFormat.N_QUADS))
            return
        self.put_graph(staging[UNION_GRAPH], union)
        for name, body in graphs.items():
            self.put_graph(staging[name], body)

    def update(self, text: str) -> None:
        """One SPARQL Update request (form-encoded POST; digest auth when credentials are given)."""
        sw = SPARQLWrapper(self.endpoints.query, updateEndpoint=self.endpoints.update)
        sw.setMethod(POST)
        sw.setTimeout(round(self.timeout))
        if self.endpoints.user and self.endpoints.password:
            sw.setHTTPAuth(DIGEST)
            sw.setCredentials(self.endpoints.user, self.endpoints.password)
        sw.setQuery(text)
        try:
            sw.query().response.read()
        except Exception as err:
            raise translate_error(err, self.endpoints.update) from err

    def push(self, build_dir: Path) -> PushResult:
        started = time.perf_counter()
        report, graphs, union = read_release(build_dir)
        previous = RemoteStore(self.endpoints.query, timeout=self.timeout).manifest(refresh=True)
        token = uuid.uuid4().hex
        staging = {name: f"{NS}staging:{token}:{n}" for n, name in enumerate([UNION_GRAPH, *graphs])}
        stale = sorted(set(previous.graphs) - set(graphs))
        try:
            self.stage(staging, graphs, union)
            self.update(switch_update(staging, stale, str(report["release"]), sorted(graphs), report))
        except BaseException:
            with contextlib.suppress(Exception):  # best effort: the previous release is intact either way
                self.update(" ;\n".join(f"DROP SILENT GRAPH {serialise_iri(g)}" for g in staging.values()))
            raise
        counts = report.get("counts", {})
        return PushResult(
            release=str(report["release"]),
            graphs=len(graphs),
            quads=int(counts.get("quads", 0)) if isinstance(counts, dict) else 0,
            triples=int(counts.get("triples", 0)) if isinstance(counts, dict) else 0,
            dropped=len(stale),
            seconds=time.perf_counter() - started,
        )


def switch_update(staging: dict[str, str], stale: list[str], release: str, graphs: list[str], report: dict[str, object]) -> str:
    """The single update request that makes the staged release the current one.

    Set-based (three DELETE/INSERT operations over VALUES lists) rather than one COPY per graph:
    Oxigraph spends ~70 ms per graph operation on its disk store, which made a 200-graph switch
    take 14 s. Generated rather than kept in a .rq file because its length depends on the
    release; every IRI in it is validated and every literal escaped by `serialise_term`.
    """
    targets = " ".join(serialise_iri(g) for g in [*staging, MANIFEST_GRAPH])
    pairs = " ".join(f"({serialise_iri(source)} {serialise_iri(target)})" for target, source in staging.items())
    sources = " ".join(serialise_iri(source) for source in staging.values())
    operations = [f"DROP SILENT GRAPH {serialise_iri(g)}" for g in stale]
    operations.append(f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ VALUES ?g {{ {targets} }} GRAPH ?g {{ ?s ?p ?o }} }}")
    operations.append(f"INSERT {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ VALUES (?staged ?g) {{ {pairs} }} GRAPH ?staged {{ ?s ?p ?o }} }}")  # noqa: S608 - validated IRIs only
    operations.append(f"DELETE {{ GRAPH ?staged {{ ?s ?p ?o }} }} WHERE {{ VALUES ?staged {{ {sources} }} GRAPH ?staged {{ ?s ?p ?o }} }}")
    node = serialise_iri(RELEASE_NODE)
    facts = [f"{node} {serialise_iri(P_ID)} {serialise_term(ox.Literal(release))} ."]
    facts += [f"{node} {serialise_iri(P_REPORT)} {serialise_term(ox.Literal(json.dumps(report, sort_keys=True)))} ."]
    facts += [f"{node} {serialise_iri(P_GRAPH)} {serialise_iri(g)} ." for g in graphs]
    operations.append(f"INSERT DATA {{ GRAPH {serialise_iri(MANIFEST_GRAPH)} {{\n" + "\n".join(facts) + "\n} }")
    return " ;\n".join(operations)


def push(build_dir: Path, endpoints: Endpoints, timeout: float = PUSH_TIMEOUT) -> PushResult:
    """Push the build in `build_dir` to the server at `endpoints` (see the module docstring)."""
    return Pusher(endpoints, timeout).push(build_dir)
