"""`/sparql`: the SPARQL 1.1 Protocol query operation, read-only, time-limited and honest.

GET ?query=, POST form and POST application/sparql-query all end in `_run`. The answer's format
follows `format=` if given, else the Accept header (with q-values); nothing acceptable is a 406.
GET with no query gives browsers the query editor and RDF clients the Service Description.
"""

from __future__ import annotations

import functools
import urllib.parse
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from graph.formats import GRAPH_FORMATS, HTML, JSON, RESULT_FORMATS, Format, by_media_type, by_name, media_types
from graph.namespaces import prefixes
from graph.queries import examples, gallery
from graph.sparql.executor import Busy, ExecutorError, QueryOutcome, QueryRequest, QueryTimeout, TooManyForClient
from graph.sparql.guard import Limits, Refusal, canonical, check_graph_parameters, check_shape
from graph.store.base import QueryError
from graph.store.sparql_text import serialise_iri
from webapp.links import choose_lang, local_url, remember_lang
from webapp.plumbing import ACCEPT_CACHE_CHARS, accept_header, best_match, json_error, json_response, named_in_accept, parsed_accept, text_response
from webapp.resources import app_settings, base, executor, public_url, resources
from webapp.views.map import europe_shapes_url, map_data
from webapp.wording import EDITOR

sparql = Blueprint("sparql", __name__)

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")

#: The Service Description's formats (RDF graphs).
SD_FORMATS = GRAPH_FORMATS
#: What Accept chooses among, worked out once.
RESULT_MEDIA = tuple(media_types(RESULT_FORMATS))
GRAPH_MEDIA = tuple(media_types(GRAPH_FORMATS))
EDITOR_MEDIA = (HTML.media_type, *(f.media_type for f in SD_FORMATS), *(f.media_type for f in RESULT_FORMATS))
#: Queries up to this size have their shape checks' verdict kept (128 of them), so a repeated query is not scanned again.
SHAPE_CACHE_CHARS = 16 * 1024


def _text(status: int, message: str, **headers: str) -> Response:
    return text_response(status, message, **headers)


def _negotiate(wanted: str | None) -> tuple[Format | None, Format | None] | Response:
    """(results format, graph format) from format= (`wanted`) or Accept; a Response if format= is unknown.

    The query's form decides which of the two is used, so both are chosen here: a client may
    accept SPARQL JSON results and Turtle, and get whichever its query returns.
    """
    if wanted:
        results = by_name(wanted, RESULT_FORMATS) or by_media_type(wanted, RESULT_FORMATS)
        graph = by_name(wanted, GRAPH_FORMATS) or by_media_type(wanted, GRAPH_FORMATS)
        if results is None and graph is None:
            names = ", ".join(f.name for f in (*RESULT_FORMATS, *GRAPH_FORMATS))
            return _text(400, f"unknown format={wanted}; use one of: {names}, or a media type")
        return results, graph
    return _accepted(accept_header())


@functools.lru_cache(maxsize=512)
def _accepted_cached(accept: str) -> tuple[Format | None, Format | None]:
    return _choose(accept)


def _accepted(accept: str) -> tuple[Format | None, Format | None]:
    """The formats an Accept header chooses (werkzeug's q-value rules), once per distinct header."""
    return _accepted_cached(accept) if len(accept) <= ACCEPT_CACHE_CHARS else _choose(accept)


def _choose(accept: str) -> tuple[Format | None, Format | None]:
    parsed = parsed_accept(accept)
    if not parsed:
        return RESULT_FORMATS[0], GRAPH_FORMATS[0]
    results_media = parsed.best_match(RESULT_MEDIA)
    graph_media = parsed.best_match(GRAPH_MEDIA)
    return (by_media_type(results_media, RESULT_FORMATS) if results_media else None, by_media_type(graph_media, GRAPH_FORMATS) if graph_media else None)


def _format_parameter(*sources: dict[str, list[str]]) -> str | None:
    """`format=` as Flask's `request.values.get` reads it: the first value of the first source (URL, then form) that has one."""
    return next((params["format"][0] for params in sources if params.get("format")), None)


def _wants_html(params: dict[str, list[str]]) -> bool:
    """Only a client that names text/html (a browser) gets the editor; `*/*` gets data."""
    best = best_match(accept_header(), EDITOR_MEDIA)
    return named_in_accept(HTML) and best == HTML.media_type and "format" not in params


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
        if _wants_html(params):
            return _editor(None)
        return _service_description()
    if _wants_html(params):
        return _editor(query)
    return _run(query, params.get("default-graph-uri", []), params.get("named-graph-uri", []), _format_parameter(params))


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
        return _run(query, url_params.get("default-graph-uri", []), url_params.get("named-graph-uri", []), _format_parameter(url_params))
    if mimetype == "application/x-www-form-urlencoded":
        form = _strict_params(request.get_data(), "request body")
        if "update" in form:
            return _text(403, "SPARQL Update is not allowed: this endpoint is read-only")
        form_query = _one_query(form, url_params)
        if form_query is None:
            return _text(400, "a POST form needs a 'query' field (SPARQL 1.1 Protocol)")
        return _run(form_query, form.get("default-graph-uri", []), form.get("named-graph-uri", []), _format_parameter(url_params, form))
    return _text(415, f"unsupported Content-Type {mimetype or '(none)'}: use application/sparql-query or application/x-www-form-urlencoded")


def _shape(query: str, max_bytes: int, max_depth: int) -> tuple[int, str] | None:
    """The guard's checks before any parser (size, NUL, depth, on the text and its canonical form): None, or (status, reason)."""
    limits = Limits(max_bytes, max_depth)
    try:
        check_shape(query, limits)
        check_shape(canonical(query), limits)
    except Refusal as refusal:
        return refusal.status, refusal.reason
    return None


@functools.lru_cache(maxsize=128)
def _shape_cached(query: str, max_bytes: int, max_depth: int) -> tuple[int, str] | None:
    return _shape(query, max_bytes, max_depth)


def _shape_verdict(query: str, max_bytes: int, max_depth: int) -> tuple[int, str] | None:
    """`_shape`, kept for texts up to SHAPE_CACHE_CHARS: the checks are a pure function of the text and the limits."""
    return _shape_cached(query, max_bytes, max_depth) if len(query) <= SHAPE_CACHE_CHARS else _shape(query, max_bytes, max_depth)


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
        shape = _shape_verdict(query, settings.max_query_bytes, settings.max_query_depth)
        if shape is not None:
            return _text(*shape)
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


def _run(query: str, default_graphs: list[str], named_graphs: list[str], wanted_format: str | None) -> Response:
    settings = app_settings()
    negotiated = _negotiate(wanted_format)
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
    response.headers["X-Cache"] = "hit" if outcome.cached else "miss"
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
    accept = parsed_accept(accept_header())
    best = accept.best_match([f.media_type for f in SD_FORMATS]) if accept else SD_FORMATS[0].media_type
    fmt = by_media_type(best, SD_FORMATS) if best else None
    if fmt is None:
        return _text(406, f"the Service Description is available as: {', '.join(f.media_type for f in SD_FORMATS)}")
    graph = service_description_graph(public_url() + "sparql", executor().graphs, base())
    return Response(graph.serialize(format=fmt.rdflib or "turtle", encoding="utf-8"), content_type=fmt.content_type)


# ---------------------------------------------------------------- the editor page and its gallery forms

#: The longest value a gallery form's field may carry in the URL (an IRI of ours is under 200).
MAX_PARAM = 2000


def _label(iri: str, lang: str) -> str | None:
    """A thing's label in `lang` (else English, else any), from the search index; None if it has none.

    A source's named graph (`{base}graph/source/X`, what `GRAPH ?g` binds) is called by the title of
    the source document it holds (`{base}id/source/X`, its `dct:source`)."""
    labels = resources().labels
    if labels is None:
        return None
    found = labels.label(iri, lang)
    graphs = base() + "graph/source/"
    if found is None and iri.startswith(graphs):
        found = labels.label(base() + "id/source/" + iri[len(graphs) :], lang)
    return found


def _value_label(term: ox.NamedNode | ox.Literal, lang: str) -> str:
    """What a form's field and its question call a bound value: an IRI's label, else the IRI; a literal's text."""
    return (_label(term.value, lang) if isinstance(term, ox.NamedNode) else None) or term.value


def _gallery(lang: str) -> list[dict[str, Any]]:
    """The gallery in the page's language: each title and question in `lang` (English where a query has
    no `-bg` lines), its `{variable}` placeholders filled with the default values' labels in `lang`."""
    items = []
    for item in gallery():
        question = examples()[str(item["name"])]
        labels = {var: _value_label(term, lang) for var, term in question.defaults.items()}
        items.append({**item, "title": question.title_in(lang), "question": question.ask(lang, labels)})
    return items


def _example(lang: str) -> dict[str, Any] | Response | None:
    """The gallery question `?example=NAME` with its parameters from the URL (`&city=IRI`): its
    text re-bound (values are serialised terms, never pasted text), and its form's fields.
    None without `example=`; an unknown name is a 404, a value that is not an IRI a 400."""
    name = request.args.get("example")
    if name is None:
        return None
    question = examples().get(name)
    if question is None:
        return _text(404, f"there is no gallery question named {name[:100]!r}; the gallery is listed on {public_url()}sparql")
    overrides: dict[str, ox.NamedNode | ox.Literal] = {}
    for var, default in question.defaults.items():
        raw = request.args.get(var, "").strip()
        if not raw:
            continue
        if len(raw) > MAX_PARAM:
            return _text(400, f"{var}= is {len(raw)} characters long; at most {MAX_PARAM}")
        if isinstance(default, ox.NamedNode):
            iri = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
            try:
                serialise_iri(iri)
            except QueryError as err:
                return _text(400, f"{var}= must be an IRI (e.g. {default.value}): {err}")
            overrides[var] = ox.NamedNode(iri)
        else:
            overrides[var] = ox.Literal(raw, language=default.language) if default.language else ox.Literal(raw, datatype=default.datatype)
    bound = question.bindings(overrides)
    labels = {var: _value_label(term, lang) for var, term in bound.items()}
    params = [
        {
            "name": var,
            "value": term.value,
            "iri": isinstance(term, ox.NamedNode),
            "label": labels[var],
            "url": local_url(term.value, lang) if isinstance(term, ox.NamedNode) else None,
        }
        for var, term in bound.items()
    ]
    return {
        "name": question.name,
        "title": question.title_in(lang),
        # The question names the values asked about now (not the defaults), in the page's language; the
        # template (`{city}`) lets the page's script reword it when the form changes.
        "question": question.ask(lang, labels),
        "question_template": question.question_in(lang),
        "query": question.standalone(overrides),
        "params": params,
    }


def _places() -> dict[str, list[Any]]:
    """Places the map knows, for the editor's map view: IRI -> [latitude, longitude, label]."""
    places: dict[str, list[Any]] = {}
    for org in map_data("en").organisations.values():
        if org.place and org.lat is not None and org.lon is not None:
            places.setdefault(org.place, [org.lat, org.lon, org.place_label or org.place.rsplit("/", 1)[-1]])
    return places


def _editor(query: str | None) -> Response:
    settings = app_settings()
    lang, remember = choose_lang()
    example = _example(lang)
    if isinstance(example, Response):
        return example
    if query is None and example is not None:
        query = str(example["query"])
    words = {**EDITOR["en"], **EDITOR.get(lang, {})}
    page = render_template(
        "sparql.html",
        query=query,
        example=example,
        gallery=_gallery(lang),
        prefixes=prefixes(base()),
        endpoint=public_url() + "sparql",  # under /releases/{id}/ on an archived release's editor (webapp.archive)
        timeout=settings.query_timeout,
        row_cap=settings.row_cap,
        lang=lang,
        e=words,
        places=_places(),
        shapes=europe_shapes_url(),
    )
    response = Response(page, mimetype="text/html")
    response.headers["Link"] = f'<{public_url()}sparql.json>; rel="alternate"; type="{JSON.media_type}"'
    return remember_lang(response, remember)


@sparql.get("/sparql.json")
def gallery_json() -> Response:
    """The editor page's JSON twin: the gallery in the page's language (`?lang=bg` or the cookie) and,
    with `?example=NAME&city=IRI`, that question as the form shows it (title, question naming the
    values asked about, its template, the re-bound text and the fields)."""
    lang, _ = choose_lang()
    example = _example(lang)
    if isinstance(example, Response):
        return json_error(example.status_code, example.get_data(as_text=True))
    response = json_response({"lang": lang, "example": example, "gallery": _gallery(lang)})
    response.vary.add("Cookie")
    return response
