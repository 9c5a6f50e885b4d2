"""The lean /sparql path: pyoxigraph's own result writers, cached Accept negotiation, the form read without werkzeug's parser.

Each change must answer exactly as before: the native writers are compared (parsed) with the
Python writers they replaced, for every format, on the gallery and on awkward terms, cut and
uncut; the cached negotiation is compared with werkzeug's own, uncached, on headers clients send
and headers nobody should; the form's edge cases keep their statuses and messages.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from bench.queries import bench_queries
from graph.formats import GRAPH_FORMATS, RESULT_FORMATS, by_media_type, media_types
from graph.queries import example_queries
from graph.sparql.results import TRUNCATED_LINK, capped, native_select, serialise_select, solution_rows
from webapp.plumbing import ACCEPT_CACHE_CHARS
from webapp.resources import resources

APP_SETTINGS = {"public_url": "http://127.0.0.1:5000/", "query_workers": 1, "row_cap": 7}

SRX = "{http://www.w3.org/2005/sparql-results#}"
XSD = "http://www.w3.org/2001/XMLSchema#"
FORMATS = ("json", "xml", "csv", "tsv")
PARTNERSHIPS = "SELECT ?p WHERE { ?p a <https://w3id.org/uaeu/ontology#Partnership> } ORDER BY ?p"


# ---------------------------------------------------------------- the writers


def _parsed(body: bytes, fmt: str) -> Any:
    """A results document as comparable data: what a client reads from it, whatever the bytes' layout."""
    if fmt == "json":
        return json.loads(body)
    if fmt == "xml":
        root = ET.fromstring(body)
        variables = [v.get("name") for v in root.iter(SRX + "variable")]
        links = [link.get("href") for link in root.iter(SRX + "link")]
        rows = []
        for result in root.iter(SRX + "result"):
            row = {}
            for binding in result:
                (term,) = list(binding)
                row[binding.get("name")] = (term.tag, term.text or "", dict(term.attrib))
            rows.append(row)
        return variables, links, rows
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    names = [v.value for v in solutions.variables]
    return names, [[solution[n] for n in names] for solution in solutions]


def _without_release_link(parsed: Any, fmt: str) -> Any:
    """The answer without the link naming its release (webapp.archive adds it to JSON and XML; the old writer had none)."""
    if fmt == "json":
        links = parsed["head"].get("link", [])
        release = [link for link in links if "/releases/" in link]
        assert len(release) == 1, links
        rest = [link for link in links if link not in release]
        if rest:
            parsed["head"]["link"] = rest
        else:
            del parsed["head"]["link"]
    elif fmt == "xml":
        variables, links, rows = parsed
        assert len([link for link in links if "/releases/" in link]) == 1, links
        return variables, [link for link in links if "/releases/" not in link], rows
    return parsed


def _python_writer(store: ox.Store, query: str, cap: int, fmt: str) -> tuple[bytes, int, bool]:
    """The writer /sparql used before: every solution turned into Python objects, then written here."""
    result = store.query(query)
    names = [v.value for v in result.variables]
    head, truncated = capped(result, cap)
    rows = list(solution_rows(names, head))
    return serialise_select(names, rows, truncated, fmt), len(rows), truncated


AWKWARD = [
    ox.Literal("Sofia", language="bg"),
    ox.Literal('tab\there, "quoted", new\nline, cr\r, back\\slash, comma,'),
    ox.Literal("5", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ox.Literal("2017-06-15", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("x", datatype=ox.NamedNode("http://ex.org/dt")),
    ox.Literal("ü 𝄞 <&> ]]> \u00a0"),
    ox.Literal(""),
    ox.NamedNode("http://ex.org/a?b=c&d=%3Ce%3E&ü"),
    ox.BlankNode("b0"),
]


@pytest.fixture(scope="module")
def awkward() -> ox.Store:
    store = ox.Store()
    for i, term in enumerate(AWKWARD):
        store.add(ox.Quad(ox.NamedNode(f"http://ex.org/s{i:02d}"), ox.NamedNode("http://ex.org/p"), term))
    return store


AWKWARD_QUERY = "SELECT ?s ?o ?unbound WHERE { ?s ?p ?o OPTIONAL { ?s <http://ex.org/none> ?unbound } } ORDER BY ?s"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("cap", [0, 1, 5, len(AWKWARD) - 1, len(AWKWARD), 10_000])
def test_native_writer_answers_like_the_python_writer_on_awkward_terms(awkward: ox.Store, fmt: str, cap: int) -> None:
    native, rows, truncated = native_select(awkward.query(AWKWARD_QUERY), cap, fmt)
    before, before_rows, before_truncated = _python_writer(awkward, AWKWARD_QUERY, cap, fmt)
    assert (rows, truncated) == (before_rows, before_truncated) == (min(cap, len(AWKWARD)), cap < len(AWKWARD))
    assert _parsed(native, fmt) == _parsed(before, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_native_writer_answers_like_the_python_writer_on_the_gallery(store: ox.Store, fmt: str) -> None:
    texts = [q.standalone() for q in example_queries()] + [q.text for q in bench_queries()]
    for text in texts:
        for cap in (3, 10_000):
            native, rows, truncated = native_select(store.query(text), cap, fmt)
            before, before_rows, before_truncated = _python_writer(store, text, cap, fmt)
            assert (rows, truncated) == (before_rows, before_truncated), text
            assert _parsed(native, fmt) == _parsed(before, fmt), text


def test_a_cut_answer_is_marked_in_json_and_xml_and_no_variable_is_lost(store: ox.Store) -> None:
    query = "SELECT ?m ?nothing WHERE { ?m a <http://www.w3.org/ns/org#Membership> OPTIONAL { ?m <urn:none> ?nothing } }"
    document = json.loads(native_select(store.query(query), 2, "json")[0])
    assert document["head"] == {"vars": ["m", "nothing"], "link": [TRUNCATED_LINK]} and document["truncated"] is True
    assert len(document["results"]["bindings"]) == 2
    root = ET.fromstring(native_select(store.query(query), 2, "xml")[0])
    assert [v.get("name") for v in root.iter(SRX + "variable")] == ["m", "nothing"]
    assert [link.get("href") for link in root.iter(SRX + "link")] == [TRUNCATED_LINK]
    empty = json.loads(native_select(store.query("SELECT ?x WHERE { FILTER(false) }"), 5, "json")[0])
    assert empty == {"head": {"vars": ["x"]}, "results": {"bindings": []}}
    with pytest.raises(ValueError, match="unknown results format"):
        native_select(store.query(query), 2, "pdf")


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"])
def test_the_endpoint_answers_as_the_python_writer_did(client: FlaskClient, store: ox.Store, accept: str) -> None:
    fmt = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml", "text/csv": "csv", "text/tab-separated-values": "tsv"}[accept]
    for query in (PARTNERSHIPS, next(q.text for q in bench_queries() if q.light)):
        response = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == accept
        before, rows, truncated = _python_writer(store, query, 7, fmt)
        assert _without_release_link(_parsed(response.data, fmt), fmt) == _parsed(before, fmt)
        assert response.headers["X-Row-Count"] == str(rows) and response.headers["X-Truncated"] == str(truncated).lower()


# ---------------------------------------------------------------- negotiation


def _werkzeug_choice(accept: str) -> tuple[str | None, str | None]:
    """What the endpoint chose before, with werkzeug's parser and no cache: (results type, graph type)."""
    parsed = parse_accept_header(accept, MIMEAccept)
    if not parsed:
        return RESULT_FORMATS[0].media_type, GRAPH_FORMATS[0].media_type
    return parsed.best_match(media_types(RESULT_FORMATS)), parsed.best_match(media_types(GRAPH_FORMATS))


ACCEPTS = [
    "",
    "*/*",
    "application/*",
    "text/*",
    "text/*;q=0.9, application/sparql-results+xml",
    "*/*;q=0.1, text/csv",
    "text/csv;q=0.5, application/sparql-results+xml;q=0.9",
    "application/sparql-results+json;q=0.1, text/tab-separated-values",
    "application/json",
    "application/xml, text/turtle",
    "text/turtle;q=0, */*",
    "text/csv;q=0",
    "text/csv;q=abc, text/turtle",
    "TEXT/CSV",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "image/png",
    "garbage",
    ";;;,,,",
    "text/csv;charset=utf-8;q=0.7, application/n-triples;q=0.8",
    "application/sparql-results+json, " * 80 + "text/csv",  # longer than ACCEPT_CACHE_CHARS: parsed every time
]


@pytest.mark.parametrize("accept", ACCEPTS)
def test_negotiation_chooses_as_werkzeug_does(client: FlaskClient, accept: str) -> None:
    results, graph = _werkzeug_choice(accept)
    for query, wanted, formats in ((PARTNERSHIPS, results, RESULT_FORMATS), ("CONSTRUCT WHERE { <urn:x> ?p ?o }", graph, GRAPH_FORMATS)):
        for _ in range(2):  # the second answer comes from the cache
            response = client.post("/sparql", data={"query": query}, headers={"Accept": accept} if accept else {})
            if results is None and graph is None:
                served = ", ".join(m for m in media_types((*RESULT_FORMATS, *GRAPH_FORMATS)) if m != "text/plain")
                assert response.status_code == 406
                assert response.get_data(as_text=True) == f"none of the requested types ({accept}) can be served; this endpoint serves: {served}\n"
            elif wanted is None:
                assert response.status_code == 406
                assert "this query returns" in response.get_data(as_text=True)
            else:
                assert response.status_code == 200, response.get_data(as_text=True)
                own = by_media_type(wanted, formats)
                assert own is not None and response.mimetype == own.media_type


def test_a_long_accept_header_is_not_kept(client: FlaskClient) -> None:
    from webapp import plumbing

    long_header = "application/sparql-results+xml;q=0.9, " + "x-custom/thing;q=0.1, " * (ACCEPT_CACHE_CHARS // 20)
    before = plumbing._cached_accept.cache_info().currsize
    response = client.post("/sparql", data={"query": PARTNERSHIPS}, headers={"Accept": long_header})
    assert response.status_code == 200 and response.mimetype == "application/sparql-results+xml"
    assert plumbing._cached_accept.cache_info().currsize == before


# ---------------------------------------------------------------- the form


FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("body", "url", "content_type", "status", "message"),
    [
        ("query=ASK%7B%7D&query=ASK%7B%7D", "", FORM, 400, "'query' is given 2 times; send exactly one (SPARQL 1.1 Protocol)\n"),
        ("query=ASK%7B%7D", "?query=ASK%7B%7D", FORM, 400, "'query' is given 2 times; send exactly one (SPARQL 1.1 Protocol)\n"),
        ("query=ASK%7B%7D&update=DROP+ALL", "", FORM, 403, "SPARQL Update is not allowed: this endpoint is read-only\n"),
        ("default-graph-uri=x", "", FORM, 400, "a POST form needs a 'query' field (SPARQL 1.1 Protocol)\n"),
        ("", "", FORM, 400, "a POST form needs a 'query' field (SPARQL 1.1 Protocol)\n"),
        ("query=%FF", "", FORM, 400, "the request body is not valid UTF-8 (SPARQL 1.1 Protocol: queries are UTF-8)\n"),
        ("query=ASK%7B%7D", "", "text/plain", 415, "unsupported Content-Type text/plain: use application/sparql-query or application/x-www-form-urlencoded\n"),
        ("query=ASK%7B%7D", "", "multipart/form-data; boundary=x", 415, "unsupported Content-Type multipart/form-data"),
        ("ASK {}", "", "application/sparql-query; charset=latin1", 400, "charset=latin1: SPARQL queries must be sent as UTF-8\n"),
        ("ASK {}", "?query=ASK%7B%7D", "application/sparql-query", 400, "a POST with Content-Type application/sparql-query carries the query in its body"),
        ("query=ASK%7B%7D&format=pdf", "", FORM, 400, "unknown format=pdf; use one of:"),
    ],
)
def test_form_edge_cases_keep_their_answers(client: FlaskClient, body: str, url: str, content_type: str, status: int, message: str) -> None:
    response = client.post("/sparql" + url, data=body.encode("latin-1"), content_type=content_type)
    assert response.status_code == status
    assert response.get_data(as_text=True).startswith(message)


def test_no_content_type_is_415(client: FlaskClient) -> None:
    response = client.post("/sparql", data=b"query=ASK%7B%7D")
    assert response.status_code == 415
    assert response.get_data(as_text=True).startswith("unsupported Content-Type (none)")


def test_huge_bodies_are_413_before_and_after_the_form_is_read(client: FlaskClient, app: Flask) -> None:
    limit = resources(app).app_settings.max_query_bytes
    over_the_query_limit = "query=" + "ASK%7B%7D%23" + "x" * limit  # read, then refused by the shape check
    response = client.post("/sparql", data=over_the_query_limit, content_type=FORM)
    assert response.status_code == 413 and f"at most {limit}" in response.get_data(as_text=True)
    over_the_body_limit = "query=" + "x" * (limit * 4 + 10)  # refused before the body is read (MAX_CONTENT_LENGTH)
    response = client.post("/sparql", data=over_the_body_limit, content_type=FORM)
    assert response.status_code == 413
    assert response.get_data(as_text=True).startswith("Request Entity Too Large")


def test_format_parameter_from_the_url_wins_over_the_form_as_before(client: FlaskClient) -> None:
    both = client.post("/sparql?format=csv", data={"query": PARTNERSHIPS, "format": "xml"})
    assert both.mimetype == "text/csv"
    form_only = client.post("/sparql", data={"query": PARTNERSHIPS, "format": "xml"}, headers={"Accept": "text/csv"})
    assert form_only.mimetype == "application/sparql-results+xml"
    empty_in_url = client.post("/sparql?format=", data={"query": PARTNERSHIPS, "format": "xml"}, headers={"Accept": "text/csv"})
    assert empty_in_url.mimetype == "text/csv", "an empty format= in the URL is found first and means: let Accept decide"
    direct = client.post("/sparql?format=tsv", data=PARTNERSHIPS, content_type="application/sparql-query")
    assert direct.mimetype == "text/tab-separated-values"


def test_a_repeated_query_text_is_refused_the_same_way_every_time(client: FlaskClient) -> None:
    deep = "SELECT * WHERE " + "{ " * 100 + "?s ?p ?o" + " }" * 100
    answers = [client.post("/sparql", data={"query": deep}) for _ in range(3)]
    assert {a.status_code for a in answers} == {400}
    assert len({a.get_data(as_text=True) for a in answers}) == 1
    assert "nest" in answers[0].get_data(as_text=True).lower() or "deep" in answers[0].get_data(as_text=True).lower()


# ---------------------------------------------------------------- the per-client minute of worker time


def test_the_minute_of_worker_time_is_kept_per_client_and_forgotten_after_a_minute() -> None:
    """The budget's bookkeeping (a running sum over the last minute): same answers as a sum over the list it replaced."""
    import time

    from graph.sparql.executor import PoolLimits, QueryExecutor, QueryRequest, TooManyForClient

    pool = QueryExecutor(None, limits=PoolLimits(workers=1, spares=0, client_seconds=1.0))
    try:
        job = QueryRequest(query="ASK {}", results_format="json", graph_format=None, row_cap=10, base_iri="https://w3id.org/uaeu/")
        for _ in range(20_000):  # a busy client's minute: admitting its next query must still see exactly this much
            pool._charge("busy", 0.00004)
        now = time.monotonic()
        assert abs(pool._spent_in_last_minute("busy", now) - 0.8) < 1e-9
        assert pool.execute(job, client="busy").status == "checked"
        pool._charge("busy", 0.3)
        with pytest.raises(TooManyForClient, match="UAEU_CLIENT_SECONDS_PER_MINUTE"):
            pool.execute(job, client="busy")
        assert pool.execute(job, client="other").status == "checked", "one client's minute is not another's"
        assert pool._spent_in_last_minute("busy", now + 61.0) == 0.0
        assert "busy" not in pool._spent, "a client with nothing in the last minute is forgotten"
        assert pool.execute(job, client="busy").status == "checked"
    finally:
        pool.close()
