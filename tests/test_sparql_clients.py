"""SPARQLWrapper, as a real client, gets correct answers in every format from `uaeu serve`."""

from __future__ import annotations

import csv
import io
import xml.dom.minidom

import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

SELECT = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?name WHERE {
  ?m org:organization <https://w3id.org/uaeu/id/partnership/digital-transition> ;
     org:role <https://w3id.org/uaeu/vocab/role/coordinator> ; org:member ?o .
  ?o skos:prefLabel ?name . FILTER(LANG(?name) = "en")
} ORDER BY ?name"""
COORDINATORS = ["City of Oulu", "Estonia (national authorities)", "Sofia Municipality"]
CONSTRUCT = """CONSTRUCT { ?panel <https://schema.org/name> ?name } WHERE {
  <https://w3id.org/uaeu/id/event/dt-2nd-sofia-2017> <https://schema.org/subEvent> ?panel .
  ?panel <https://schema.org/name> ?name }"""


def _client(live_server: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setTimeout(30)
    if method == "POST":
        client.setMethod(POST)
    elif method == "POSTDIRECTLY":
        client.setMethod(POST)
        client.setRequestMethod(POSTDIRECTLY)
    return client


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
def test_select_as_json_with_every_protocol_method(live_server: str, method: str) -> None:
    client = _client(live_server, method)
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    assert isinstance(result, dict)
    assert [b["name"]["value"] for b in result["results"]["bindings"]] == COORDINATORS


def test_select_as_xml_csv_and_tsv(live_server: str) -> None:
    client = _client(live_server)
    client.setQuery(SELECT)
    client.setReturnFormat(XML)
    document = client.queryAndConvert()
    assert isinstance(document, xml.dom.minidom.Document)
    assert [n.firstChild.data for n in document.getElementsByTagName("literal")] == COORDINATORS
    client.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(client.queryAndConvert().decode("utf-8"))))
    assert rows == [["name"], *[[n] for n in COORDINATORS]]
    client.setReturnFormat(TSV)
    lines = client.queryAndConvert().decode("utf-8").splitlines()
    assert lines[0] == "?name"
    assert lines[1:] == [f'"{n}"@en' for n in COORDINATORS]


def test_ask(live_server: str) -> None:
    client = _client(live_server)
    client.setQuery("ASK { <https://w3id.org/uaeu/id/event/dt-2nd-sofia-2017> ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True


@pytest.mark.parametrize(("return_format", "rdflib_format"), [(TURTLE, "turtle"), (N3, "turtle"), (RDFXML, None), (JSONLD, None)])
def test_construct_in_rdf_formats(live_server: str, return_format: str, rdflib_format: str | None) -> None:
    client = _client(live_server)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(return_format)
    converted = client.queryAndConvert()
    graph = Graph().parse(data=converted, format=rdflib_format) if isinstance(converted, bytes) else converted
    names = {str(o) for o in graph.objects()}
    assert len(graph) == 14  # seven panels, each named in English and Bulgarian
    assert "E-government" in names
    assert "Е-управление" in names


def test_bad_query_is_a_client_error(live_server: str) -> None:
    client = _client(live_server)
    client.setQuery("SELECT ?x WHERE { ?x ?y }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed):
        client.queryAndConvert()
