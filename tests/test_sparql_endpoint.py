"""The /sparql endpoint: protocol, formats, negotiation, refusals, limits, CORS, Service Description.

These run through Flask's test client against the real build and real query worker processes;
tests/test_sparql_clients.py repeats the essentials with SPARQLWrapper over real HTTP.
"""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from graph.builder.pipeline import Built
from tests.helpers import close_app, make_app
from webapp.resources import resources

COUNT_PARTNERSHIPS = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/uaeu/ontology#Partnership> }"
PARTNERSHIPS = "SELECT ?p WHERE { ?p a <https://w3id.org/uaeu/ontology#Partnership> } ORDER BY ?p"
CONSTRUCT_DT = "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/uaeu/id/partnership/digital-transition> AS ?s) ?s ?p ?o }"
ASK_SOFIA = "ASK { <https://w3id.org/uaeu/id/organisation/sofia-municipality> ?p ?o }"
PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SD = "http://www.w3.org/ns/sparql-service-description#"


APP_SETTINGS = {"public_url": "http://127.0.0.1:5000/", "query_workers": 2, "row_cap": 50, "query_timeout": 2.0}


def test_get_post_form_and_post_direct_give_the_same_answer(client: FlaskClient) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        client.get("/sparql", query_string={"query": COUNT_PARTNERSHIPS}, headers=accept),
        client.post("/sparql", data={"query": COUNT_PARTNERSHIPS}, headers=accept),
        client.post("/sparql", data=COUNT_PARTNERSHIPS, content_type="application/sparql-query", headers=accept),
    ]
    for response in answers:
        assert response.status_code == 200
        assert response.mimetype == "application/sparql-results+json"
        assert json.loads(response.data)["results"]["bindings"][0]["n"]["value"] == "20"
        assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0.1, text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_select_formats_by_accept_with_q_values(client: FlaskClient, accept: str, mimetype: str) -> None:
    response = client.get("/sparql", query_string={"query": PARTNERSHIPS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    body = response.get_data(as_text=True)
    if mimetype.endswith("json"):
        rows = [b["p"]["value"] for b in json.loads(body)["results"]["bindings"]]
    elif mimetype.endswith("xml"):
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        rows = [e.text for e in ET.fromstring(body).findall(".//s:binding/s:uri", ns)]
    elif mimetype == "text/csv":
        rows = [r[0] for r in list(csv.reader(io.StringIO(body)))[1:]]
    else:
        lines = body.splitlines()
        assert lines[0] == "?p"
        rows = [line.strip("<>") for line in lines[1:]]
    assert len(rows) == 20
    assert "https://w3id.org/uaeu/id/partnership/digital-transition" in rows


@pytest.mark.parametrize(
    ("accept", "fmt", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("*/*", "text/turtle", "turtle"),
    ],
)
def test_construct_formats_parse(client: FlaskClient, accept: str, fmt: str, rdflib_format: str) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT_DT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == fmt
    graph = Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)
    assert len(graph) > 10


def test_ask_answers_true_as_json_and_xml(client: FlaskClient) -> None:
    as_json = client.get("/sparql", query_string={"query": ASK_SOFIA}, headers={"Accept": "application/sparql-results+json"})
    release = json.loads(as_json.data)["head"]["link"]  # the release that answered (webapp.archive)
    assert json.loads(as_json.data) == {"head": {"link": release}, "boolean": True} and release[0].endswith(
        f"/releases/{as_json.headers['X-Release'].replace('+', '_')}/"
    )
    as_xml = client.get("/sparql", query_string={"query": ASK_SOFIA}, headers={"Accept": "application/sparql-results+xml"})
    boolean = ET.fromstring(as_xml.data).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert boolean is not None and boolean.text == "true"


def test_format_parameter_overrides_accept(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": PARTNERSHIPS, "format": "csv"}, headers={"Accept": "application/sparql-results+json"})
    assert response.mimetype == "text/csv"
    bad = client.get("/sparql", query_string={"query": PARTNERSHIPS, "format": "pdf"})
    assert bad.status_code == 400
    assert "unknown format=pdf" in bad.get_data(as_text=True)


def test_406_when_nothing_acceptable(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": PARTNERSHIPS}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.get_data(as_text=True)
    # A SELECT asked for as Turtle only: the query kind decides, and it cannot be served.
    response = client.get("/sparql", query_string={"query": PARTNERSHIPS}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert "SELECT/ASK results" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 400, "INSERT is an update operation"),
        ("DELETE WHERE { ?s ?p ?o }", 400, "read-only"),
        ("LOAD <http://example.org/data.ttl>", 400, "LOAD is an update operation"),
        ("DROP ALL", 400, "DROP is an update operation"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 400, "SERVICE"),
        ("SELECT * FROM <http://example.org/other.ttl> WHERE { ?s ?p ?o }", 400, "never fetches other URLs"),
        ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", 400, "FROM NAMED"),
    ],
)
def test_refusals_say_why(client: FlaskClient, query: str, status: int, words: str) -> None:
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == status
    assert words in response.get_data(as_text=True)


def test_keywords_inside_strings_and_iris_are_not_refused(client: FlaskClient) -> None:
    query = 'SELECT ?x WHERE { BIND("please DELETE and LOAD this, SERVICE too" AS ?x) } # INSERT in a comment'
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    own_graph = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/uaeu/graph/model> WHERE { ?s ?p ?o }"
    assert client.post("/sparql", data={"query": own_graph}).status_code == 200


def test_update_operation_is_refused(client: FlaskClient) -> None:
    as_form = client.post("/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    direct = client.post("/sparql", data="INSERT DATA { <urn:a> <urn:b> <urn:c> }", content_type="application/sparql-update")
    for response in (as_form, direct):
        assert response.status_code == 403
        assert "read-only" in response.get_data(as_text=True)


def test_oversize_query_gets_413(client: FlaskClient, app: Flask) -> None:
    limit = resources(app).app_settings.max_query_bytes
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * limit
    response = client.post("/sparql", data=query, content_type="application/sparql-query")
    assert response.status_code == 413
    assert f"at most {limit}" in response.get_data(as_text=True)


def test_syntax_error_carries_the_parser_message_and_position(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert text.startswith("SPARQL syntax error:")
    assert "1:" in text or "line" in text.lower() or "column" in text.lower()


def test_graph_parameters_choose_among_own_graphs_only(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    own = client.get(
        "/sparql",
        query_string={"query": query, "default-graph-uri": "https://w3id.org/uaeu/graph/source/sda-946-sofia-meeting"},
        headers={"Accept": "application/sparql-results+json"},
    )
    whole = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    n_own = int(json.loads(own.data)["results"]["bindings"][0]["n"]["value"])
    n_whole = int(json.loads(whole.data)["results"]["bindings"][0]["n"]["value"])
    assert 0 < n_own < n_whole
    other = client.get("/sparql", query_string={"query": query, "named-graph-uri": "http://example.org/elsewhere"})
    assert other.status_code == 400
    assert "never fetches other URLs" in other.get_data(as_text=True)


def test_results_over_the_row_cap_are_marked_truncated_in_every_format(client: FlaskClient) -> None:
    query = "SELECT ?s WHERE { ?s a <http://www.w3.org/ns/org#Membership> }"
    for accept in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"):
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["X-Truncated"] == "true"
        assert response.headers["X-Row-Count"] == "50"
        body = response.get_data(as_text=True)
        if accept.endswith("json"):
            document = json.loads(body)
            assert document["truncated"] is True
            assert len(document["results"]["bindings"]) == 50
        if accept.endswith("xml"):
            assert "https://w3id.org/uaeu/ontology#truncated" in body
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    turtle = client.get("/sparql", query_string={"query": construct}, headers={"Accept": "text/turtle"})
    assert turtle.headers["X-Truncated"] == "true"
    assert "# truncated" in turtle.get_data(as_text=True)
    assert len(Graph().parse(data=turtle.get_data(as_text=True), format="turtle")) == 50
    small = client.get("/sparql", query_string={"query": PARTNERSHIPS})
    assert small.headers["X-Truncated"] == "false"


def test_cors_on_get_post_and_preflight(client: FlaskClient) -> None:
    origin = {"Origin": "https://researcher.example"}
    assert client.get("/sparql", query_string={"query": PARTNERSHIPS}, headers=origin).headers["Access-Control-Allow-Origin"] == "*"
    assert client.post("/sparql", data={"query": PARTNERSHIPS}, headers=origin).headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert "X-Truncated" in client.get("/sparql", query_string={"query": PARTNERSHIPS}).headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(("accept", "rdflib_format"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("*/*", "turtle")])
def test_service_description_parses_as_rdf(client: FlaskClient, accept: str, rdflib_format: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)
    services = list(graph.subjects(RDF.type, URIRef(SD + "Service")))
    assert [str(s) for s in services] == ["http://127.0.0.1:5000/sparql"]
    names = {str(o) for o in graph.objects(None, URIRef(SD + "name"))}
    assert "https://w3id.org/uaeu/graph/model" in names


def test_browsers_get_the_editor(client: FlaskClient) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    response = client.get("/sparql", headers=browser)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    permalink = client.get("/sparql", query_string={"query": PARTNERSHIPS}, headers=browser)
    assert permalink.mimetype == "text/html"
    assert "ORDER BY ?p" in permalink.get_data(as_text=True)


def test_time_limit_stops_the_query_and_the_next_one_is_answered_at_once(built: Built, release_dir: Path) -> None:
    app = make_app(release_dir, public_url="http://127.0.0.1:5000/", query_workers=2, query_timeout=1.0)
    try:
        client = app.test_client()
        started = time.monotonic()
        stopped = client.post("/sparql", data={"query": PATHOLOGICAL})
        elapsed = time.monotonic() - started
        assert stopped.status_code == 503
        assert "ran longer than 1s and was stopped" in stopped.get_data(as_text=True)
        assert elapsed < 1.0 + 1.0
        started = time.monotonic()
        after = client.post("/sparql", data={"query": COUNT_PARTNERSHIPS}, headers={"Accept": "application/sparql-results+json"})
        assert after.status_code == 200
        assert time.monotonic() - started < 0.5
    finally:
        close_app(app)
