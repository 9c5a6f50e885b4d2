"""`/sparql`: the SPARQL 1.1 Protocol query operation, read-only, time-limited and honest.

GET ?query=, POST form and POST application/sparql-query all end in `_run`. The answer's format
follows `format=` if given, else the Accept header (with q-values); nothing acceptable is a 406.
GET with no query gives browsers the query editor and RDF clients the Service Description.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from flask import Blueprint, Response, render_template, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from graph.formats import GRAPH_FORMATS, HTML, RESULT_FORMATS, Format, by_media_type, by_name, media_types
from graph.namespaces import prefixes
from graph.queries import gallery
from graph.sparql.executor import Busy, ExecutorError, QueryOutcome, QueryRequest, QueryTimeout, TooManyForClient
from graph.sparql.guard import Limits, Refusal, canonical, check_graph_parameters, check_shape
from webapp.plumbing import named_in_accept, text_response
from webapp.resources import app_settings, base, executor, public_url, release_prefix

sparql = Blueprint("sparql", __name__)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")

#: The Service Description's formats (RDF graphs).
SD_FORMATS = GRAPH_FORMATS


def _text(status: int, message: str, **headers: str) -> Response:
    return text_response(status, message, **headers)


def _negotiate() -> tuple[Format | None, Format | None] | Response:
    """(results format, graph format) from format= or Accept; a Response if format= is unknown.

    The query's form decides which of the two is used, so both are chosen here: a client may
    accept SPARQL JSON results and Turtle, and get whichever its query returns.
    """
    wanted = request.values.get("format")
    if wanted:
        results = by_name(wanted, RESULT_FORMATS) or by_media_type(wanted, RESULT_FORMATS)
        graph = by_name(wanted, GRAPH_FORMATS) or by_media_type(wanted, GRAPH_FORMATS)
        if results is None and graph is None:
            names = ", ".join(f.name for f in (*RESULT_FORMATS, *GRAPH_FORMATS))
            return _text(400, f"unknown format={wanted}; use one of: {names}, or a media type")
        return results, graph
    accept = request.accept_mimetypes
    if not accept:
        return RESULT_FORMATS[0], GRAPH_FORMATS[0]
    results_media = accept.best_match(media_types(RESULT_FORMATS))
    graph_media = accept.best_match(media_types(GRAPH_FORMATS))
    return (by_media_type(results_media, RESULT_FORMATS) if results_media else None, by_media_type(graph_media, GRAPH_FORMATS) if graph_media else None)


def _wants_html() -> bool:
    """Only a client that names text/html (a browser) gets the editor; `*/*` gets data."""
    best = request.accept_mimetypes.best_match([HTML.media_type, *(f.media_type for f in SD_FORMATS), *(f.media_type for f in RESULT_FORMATS)])
    return named_in_accept(HTML) and best == HTML.media_type and "format" not in request.values


@sparql.after_request
def _vary(response: Response) -> Response:
    """Every answer depends on Accept (CORS is the app's rule: webapp.plumbing)."""
    response.vary.add("Accept")
    return response


@sparql.route("/sparql", methods=["OPTIONS"])
def preflight() -> Response:
    """CORS preflight: the allowed methods and headers are added by the app's CORS rule."""
    response = Response(status=204)
    response.headers["Allow"] = "GET, POST, OPTIONS"
    return response


class ProtocolError(Exception):
    """A request the SPARQL 1.1 Protocol says is malformed (answered 400)."""


def _strict_params(raw: bytes, where: str) -> dict[str, list[str]]:
    """URL-encoded parameters decoded as strict UTF-8: the protocol wants 400 for anything else."""
    try:
        pairs = urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(f"the {where} is not valid UTF-8 (SPARQL 1.1 Protocol: queries are UTF-8)") from None
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def _one_query(*sources: dict[str, list[str]]) -> str | None:
    values = [value for params in sources for value in params.get("query", [])]
    if len(values) > 1:
        raise ProtocolError(f"'query' is given {len(values)} times; send exactly one (SPARQL 1.1 Protocol)")
    return values[0] if values else None


def query_parameters() -> dict[str, str]:
    """The request's single-valued parameters (URL, then a form body) under the protocol's rules: strict
    UTF-8, `query` at most once; a POST of application/sparql-query gives its body as `query`."""
    params = _strict_params(request.query_string, "query string")
    merged = {name: values[-1] for name, values in params.items()}
    if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded":
        form = _strict_params(request.get_data(), "request body")
        _one_query(form, params)
        merged.update({name: values[-1] for name, values in form.items()})
    elif request.method == "POST" and request.mimetype == "application/sparql-query":
        if "query" in params:
            raise ProtocolError("a POST with Content-Type application/sparql-query carries the query in its body; do not also send 'query' in the URL")
        try:
            merged["query"] = request.get_data().decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("the request body is not valid UTF-8 (SPARQL 1.1 Protocol: queries are UTF-8)") from None
    else:
        _one_query(params)
    return merged


@sparql.errorhandler(ProtocolError)
def _protocol_error(err: ProtocolError) -> Response:
    return _text(400, str(err))


@sparql.get("/sparql")
def get() -> Any:
    params = _strict_params(request.query_string, "query string")
    query = _one_query(params)
    if query is None:
        if _wants_html():
            return _editor(None)
        return _service_description()
    if _wants_html():
        return _editor(query)
    return _run(query, params.get("default-graph-uri", []), params.get("named-graph-uri", []))


@sparql.post("/sparql")
def post() -> Any:
    mimetype = request.mimetype
    url_params = _strict_params(request.query_string, "query string")
    if mimetype == "application/sparql-update" or "update" in url_params:
        return _text(403, "SPARQL Update is not allowed: this endpoint is read-only")
    if mimetype == "application/sparql-query":
        if "query" in url_params:
            raise ProtocolError("a POST with Content-Type application/sparql-query carries the query in its body; do not also send 'query' in the URL")
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise ProtocolError(f"charset={charset}: SPARQL queries must be sent as UTF-8")
        try:
            query = request.get_data().decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("the request body is not valid UTF-8 (SPARQL 1.1 Protocol: queries are UTF-8)") from None
        return _run(query, url_params.get("default-graph-uri", []), url_params.get("named-graph-uri", []))
    if mimetype == "application/x-www-form-urlencoded":
        form = _strict_params(request.get_data(), "request body")
        if "update" in form:
            return _text(403, "SPARQL Update is not allowed: this endpoint is read-only")
        form_query = _one_query(form, url_params)
        if form_query is None:
            return _text(400, "a POST form needs a 'query' field (SPARQL 1.1 Protocol)")
        return _run(form_query, form.get("default-graph-uri", []), form.get("named-graph-uri", []))
    return _text(415, f"unsupported Content-Type {mimetype or '(none)'}: use application/sparql-query or application/x-www-form-urlencoded")


def execute(
    query: str, results_format: Format | None, graph_format: Format | None, default_graphs: list[str], named_graphs: list[str]
) -> QueryOutcome | Response:
    """Run user SPARQL the one safe way: guard, killable worker, time limit, row cap; a refusal or failure as its 4xx/5xx.

    Shared by /sparql and the network bridge (/api/network/from-query), so both refuse the same
    queries with the same status and message.
    """
    settings = app_settings()
    pool = executor()
    try:
        # The cheap checks here, so a hostile shape never costs a worker; the parse-based guard
        # runs inside the (network-less, killable) worker, on exactly the text it then executes.
        limits = Limits(settings.max_query_bytes, settings.max_query_depth)
        check_shape(query, limits)
        check_shape(canonical(query), limits)
        check_graph_parameters(default_graphs, named_graphs, pool.graphs)
    except Refusal as refusal:
        return _text(refusal.status, refusal.reason)
    job = QueryRequest(
        query=query,
        results_format=results_format.name if results_format else None,
        graph_format=graph_format.name if graph_format else None,
        row_cap=settings.row_cap,
        base_iri=base(),
        prefixes=prefixes(base()),
        default_graphs=tuple(default_graphs),
        named_graphs=tuple(named_graphs),
    )
    try:
        outcome = pool.execute(job, client=request.remote_addr or "")
    except QueryTimeout as err:
        return _text(
            503, f"query stopped: {err} (UAEU_QUERY_TIMEOUT={settings.query_timeout:g}); narrow it down or add a LIMIT", **{"Retry-After": str(err.retry_after)}
        )
    except TooManyForClient as err:
        return _text(429, f"too many queries: {err}", **{"Retry-After": str(err.retry_after)})
    except Busy as err:
        return _text(503, f"server busy: {err}; try again shortly", **{"Retry-After": str(err.retry_after)})
    except ExecutorError as err:
        retry = str(getattr(err, "retry_after", 2))
        return _text(503, f"query failed: {err}", **{"Retry-After": retry})
    if outcome.status == "refused":
        return _text(outcome.http_status, outcome.message)
    if outcome.status == "syntax":
        return _text(400, f"SPARQL syntax error: {outcome.message}")
    if outcome.status == "not-acceptable":
        kind = "SELECT/ASK results" if outcome.kind in ("select", "ask") else "an RDF graph"
        offered = ", ".join(media_types(RESULT_FORMATS if outcome.kind in ("select", "ask") else GRAPH_FORMATS))
        return _text(406, f"this query returns {kind}, which can be served as: {offered}")
    if outcome.status != "ok":
        return _text(400, f"query failed: {outcome.message}")
    return outcome


def _run(query: str, default_graphs: list[str], named_graphs: list[str]) -> Response:
    settings = app_settings()
    negotiated = _negotiate()
    if isinstance(negotiated, Response):
        return negotiated
    results_format, graph_format = negotiated
    if results_format is None and graph_format is None:
        supported = ", ".join(m for m in media_types((*RESULT_FORMATS, *GRAPH_FORMATS)) if m != "text/plain")  # text/plain: N-Triples, but no client means that
        return _text(406, f"none of the requested types ({request.headers.get('Accept', '')}) can be served; this endpoint serves: {supported}")
    outcome = execute(query, results_format, graph_format, default_graphs, named_graphs)
    if isinstance(outcome, Response):
        return outcome
    fmt = by_name(outcome.fmt, RESULT_FORMATS if outcome.kind in ("select", "ask") else GRAPH_FORMATS)
    assert fmt is not None
    response = Response(outcome.body, status=200, content_type=fmt.content_type)
    response.headers["X-Row-Count"] = str(outcome.count)
    response.headers["X-Row-Cap"] = str(settings.row_cap)
    response.headers["X-Truncated"] = "true" if outcome.truncated else "false"
    response.headers["X-Query-Seconds"] = f"{outcome.seconds:.4f}"
    if outcome.fmt == "csv":
        response.headers["Content-Disposition"] = 'inline; filename="results.csv"'
    return response


def service_description_graph(endpoint: str, graphs: list[str], base: str) -> Graph:
    """The SPARQL 1.1 Service Description of this endpoint."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("formats", FORMATS_NS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        graph.add((service, SD.resultFormat, FORMATS_NS[fmt]))
    dataset = URIRef(base + "dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode("defaultGraph")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for name in graphs:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
    graph.add(
        (
            service,
            URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
            Literal("Read-only SPARQL 1.1 endpoint of the Urban Agenda for the EU knowledge graph.", lang="en"),
        )
    )
    return graph


def _service_description() -> Response:
    best = request.accept_mimetypes.best_match([f.media_type for f in SD_FORMATS]) if request.accept_mimetypes else SD_FORMATS[0].media_type
    fmt = by_media_type(best, SD_FORMATS) if best else None
    if fmt is None:
        return _text(406, f"the Service Description is available as: {', '.join(f.media_type for f in SD_FORMATS)}")
    graph = service_description_graph(public_url() + "sparql", executor().graphs, base())
    return Response(graph.serialize(format=fmt.rdflib or "turtle", encoding="utf-8"), content_type=fmt.content_type)


def _editor(query: str | None) -> str:
    settings = app_settings()
    return render_template(
        "sparql.html",
        query=query,
        gallery=gallery(),
        prefixes=prefixes(base()),
        endpoint=settings.public_url + release_prefix() + "sparql",  # an archived release's editor queries that release
        timeout=settings.query_timeout,
        row_cap=settings.row_cap,
    )
