"""Linked-data publishing: dereferencing, content negotiation, resource pages, indexes, search,
the ontology, dumps and the VoID/DCAT description, all through Flask's test client on the real build.

The app is configured with a public URL on another host and under a path prefix, so every redirect
and link is checked to come from the setting, never from the request's Host header.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF

from graph.builder.pipeline import build
from graph.config import PROJECT_ROOT, Settings
from tests.conftest import BASE, ID, select
from tests.helpers import close_app, make_app, rename_organisation

PUBLIC = "https://kg.example.org/uaeu/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
DT = ID + "partnership/digital-transition"
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt", "application/rdf+xml": "xml"}


APP_SETTINGS = {"public_url": PUBLIC}


def _parse(body: bytes, media: str) -> Graph:
    graph = Graph()
    graph.parse(data=body, format=RDFLIB_FORMATS[media], publicID=BASE)
    return graph


# ---------------------------------------------------------------- dereferencing


def test_an_iri_answers_303_to_its_document_under_the_public_url(client: FlaskClient) -> None:
    response = client.get("/id/partnership/digital-transition", headers={"Host": "evil.example", "Accept": BROWSER})
    assert response.status_code == 303
    assert response.headers["Location"] == PUBLIC + "doc/partnership/digital-transition"
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("accept", "status", "media"),
    [
        (BROWSER, 200, "text/html"),
        ("*/*", 200, "text/turtle"),
        (None, 200, "text/turtle"),
        ("text/turtle", 200, "text/turtle"),
        ("application/ld+json", 200, "application/ld+json"),
        ("application/n-triples", 200, "application/n-triples"),
        ("application/rdf+xml", 200, "application/rdf+xml"),
        ("application/json", 200, "application/ld+json"),
        ("text/turtle;q=0.5, application/ld+json", 200, "application/ld+json"),
        ("application/rdf+xml, text/turtle;q=0.9, */*;q=0.1", 200, "application/rdf+xml"),
        ("image/png", 406, "text/plain"),
    ],
)
def test_content_negotiation_over_real_accept_headers(client: FlaskClient, accept: str | None, status: int, media: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/doc/partnership/digital-transition", headers=headers)
    assert response.status_code == status
    assert response.mimetype == media
    assert "Accept" in response.headers["Vary"]
    links = response.headers["Link"]
    for wanted in ("text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"):
        assert f'rel="alternate"; type="{wanted}"' in links
    assert PUBLIC + "doc/partnership/digital-transition.ttl" in links
    if media == "text/html":
        body = response.get_data(as_text=True)
        assert "Partnership on Digital Transition" in body
        assert '<script type="application/ld+json">' in body
    elif media in RDFLIB_FORMATS:
        graph = _parse(response.data, media)
        assert (URIRef(DT), RDF.type, URIRef(BASE + "ontology#Partnership")) in graph
        assert (None, None, URIRef(DT)) in graph, "incoming links are part of the description"
        assert response.headers["Content-Location"].startswith(PUBLIC + "doc/partnership/digital-transition.")
    else:
        assert "text/turtle" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("extension", "media"),
    [("html", "text/html"), ("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"), ("rdf", "application/rdf+xml")],
)
def test_an_extension_chooses_the_format_whatever_the_accept_header(client: FlaskClient, extension: str, media: str) -> None:
    response = client.get(f"/doc/organisation/sofia-municipality.{extension}", headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert response.mimetype == media
    if media in RDFLIB_FORMATS:
        graph = _parse(response.data, media)
        assert (URIRef(ID + "organisation/sofia-municipality"), None, None) in graph


@pytest.mark.parametrize(
    ("asked", "media"),
    [
        ("json", "application/ld+json"),
        ("JSON-LD", "application/ld+json"),
        ("ttl", "text/turtle"),
        ("turtle", "text/turtle"),
        ("nt", "application/n-triples"),
        ("html", "text/html"),
    ],
)
def test_a_format_parameter_chooses_the_format_like_an_extension(client: FlaskClient, asked: str, media: str) -> None:
    for path in ("/doc/organisation/sofia-municipality", "/ontology"):
        response = client.get(path, query_string={"format": asked}, headers={"Accept": BROWSER})
        assert response.status_code == 200, path
        assert response.mimetype == media
        if media in RDFLIB_FORMATS:
            assert len(_parse(response.data, media)) > 10
    same = client.get("/doc/organisation/sofia-municipality.jsonld", query_string={"format": "json"})
    assert same.status_code == 200 and same.mimetype == "application/ld+json"


@pytest.mark.parametrize("asked", ["png", "", "json\x00", "x" * 5000])
def test_an_unknown_format_parameter_is_a_400_that_lists_the_formats(client: FlaskClient, asked: str) -> None:
    response = client.get("/doc/organisation/sofia-municipality", query_string={"format": asked}, headers={"Accept": BROWSER})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "unknown format" in text and "ttl, jsonld, nt, rdf, html" in text and len(text) < 300


def test_a_format_parameter_that_contradicts_the_extension_is_a_400(client: FlaskClient) -> None:
    response = client.get("/doc/organisation/sofia-municipality.ttl", query_string={"format": "json"})
    assert response.status_code == 400
    assert "two formats asked for" in response.get_data(as_text=True)


def test_unknown_resources_get_a_404_that_offers_search(client: FlaskClient) -> None:
    for path in ("/doc/partnership/no-such-thing", "/id/organisation/no-such-thing", "/doc/unicorn/x", "/vocab/theme/no-such-theme"):
        response = client.get(path, headers={"Accept": BROWSER})
        assert response.status_code == 404, path
        body = response.get_data(as_text=True)
        assert 'action="' + PUBLIC + 'search"' in body
        assert 'name="q"' in body
    assert client.get("/doc/partnership/no-such-thing", headers={"Accept": "text/turtle"}).status_code == 404


# ---------------------------------------------------------------- pages


def _one_of_each_type(store: ox.Store) -> dict[str, str]:
    rows = select(store, f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{ID}')) }} ORDER BY ?s")
    found: dict[str, str] = {}
    for row in rows:
        kind = row["s"][len(ID) :].split("/", 1)[0]
        found.setdefault(kind, row["s"])
    return found


def test_every_type_has_a_page_with_outgoing_and_incoming_links_json_ld_and_a_sparql_link(app: Flask, store: ox.Store) -> None:
    examples = _one_of_each_type(store)
    assert {"partnership", "organisation", "place", "event", "membership", "source", "period", "instant"} <= set(examples)
    examples["country"] = "http://publications.europa.eu/resource/authority/country/BGR"
    examples["concept"] = BASE + "vocab/theme/digital-transition"
    examples["scheme"] = BASE + "vocab/theme"
    client = app.test_client()
    for kind, iri in examples.items():
        if iri.startswith(ID):
            path = "/doc/" + iri[len(ID) :]
        elif kind == "country":
            path = "/doc/country/BGR"
        else:
            path = "/" + iri[len(BASE) :]
        with client:
            response = client.get(path, headers={"Accept": BROWSER})
            queries = g.ld_queries
        assert response.status_code == 200, (kind, path)
        body = response.get_data(as_text=True)
        assert 'id="outgoing"' in body, kind
        incoming = select(store, "SELECT ?o ?s WHERE { ?s ?p ?o } LIMIT 1", o=ox.NamedNode(iri))
        assert ('id="incoming"' in body) == bool(incoming), kind
        assert queries <= 6, f"{kind} page used {queries} queries"
        match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
        assert match, kind
        graph = Graph().parse(data=match.group(1), format="json-ld")
        assert (URIRef(iri), None, None) in graph, kind
        sparql = re.search(r'<a class="sparql-link" href="([^"]+)"', body)
        assert sparql and sparql.group(1).startswith(PUBLIC + "sparql?query=DESCRIBE"), kind


def test_the_number_of_queries_does_not_grow_with_the_number_of_links(app: Flask, store: ox.Store) -> None:
    """Digital Transition has hundreds of links; a small partnership few; both cost the same queries."""
    client = app.test_client()
    counts = []
    for slug in ("digital-transition", "culture-cultural-heritage"):
        with client:
            # A parameter no other test sends: the page is rendered here, not one kept from before (webapp.kept).
            assert client.get(f"/doc/partnership/{slug}?count=queries", headers={"Accept": BROWSER}).status_code == 200
            counts.append(g.ld_queries)
    assert counts[0] == counts[1] <= 6


def test_the_partnership_page_shows_members_by_kind_with_roles_and_evidence_events_and_actions(client: FlaskClient) -> None:
    body = client.get("/doc/partnership/digital-transition?lang=en", headers={"Accept": BROWSER}).get_data(as_text=True)
    members = body[body.index('id="members"') : body.index('id="events"')]
    assert "Sofia Municipality" in members and "Coordinator" in members and "Stated" in members
    assert members.count("<h3>") >= 3, "members are grouped by kind"
    events = body[body.index('id="events"') : body.index('id="actions"')]
    assert "2017-06-07" in events and events.index("2017-02-16") < events.index("2017-06-07"), "a timeline, in date order"
    assert "Digital Neighbourhood Instrument" in body[body.index('id="actions"') :]
    assert PUBLIC + "doc/organisation/sofia-municipality" in body, "links use the public URL"


def test_a_place_and_a_country_say_who_takes_part_from_there(client: FlaskClient) -> None:
    for path in ("/doc/place/sofia?lang=en", "/doc/country/BGR?lang=en"):
        body = client.get(path, headers={"Accept": BROWSER}).get_data(as_text=True)
        section = body[body.index('id="from-here"') :]
        assert "Sofia Municipality" in section and "Partnership on Digital Transition" in section, path


def test_the_language_switch_shows_bulgarian_and_remembers_it(app: Flask, store: ox.Store) -> None:
    client = app.test_client()
    response = client.get("/doc/partnership/digital-transition?lang=bg", headers={"Accept": BROWSER})
    body = response.get_data(as_text=True)
    assert "<h1>Партньорство „Дигитален преход“</h1>" in body
    assert "Столична община" in body
    assert "lang=bg" in response.headers["Set-Cookie"]
    again = client.get("/doc/place/sofia", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "<h1>София</h1>" in again, "the cookie keeps the language"
    back = client.get("/doc/place/sofia?lang=en", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "<h1>Sofia</h1>" in back
    local = select(
        store,
        f"SELECT ?s ?l WHERE {{ ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(lang(?l) = 'nl' && STRSTARTS(STR(?s), '{ID}')) }} ORDER BY ?s LIMIT 1",
    )
    assert local, "the data has Dutch labels"
    path = "/doc/" + local[0]["s"][len(ID) :]
    body = client.get(path + "?lang=nl", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'data-lang="en"' in body and 'data-lang="bg"' in body and '<strong lang="nl">NL</strong>' in body
    assert f"<h1>{local[0]['l']}</h1>" in body


def test_unknown_languages_fall_back_to_english(client: FlaskClient) -> None:
    body = client.get("/doc/partnership/digital-transition?lang=xx", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "<h1>Partnership on Digital Transition</h1>" in body


# ---------------------------------------------------------------- indexes and search


@pytest.mark.parametrize(
    ("name", "classes"),
    [
        ("partnerships", [BASE + "ontology#Partnership"]),
        ("organisations", ["http://www.w3.org/ns/org#Organization"]),
        ("places", ["https://schema.org/Country", "https://schema.org/City", "https://schema.org/AdministrativeArea"]),
        ("events", ["https://schema.org/Event"]),
    ],
)
def test_index_pages_and_their_json_twins(client: FlaskClient, store: ox.Store, name: str, classes: list[str]) -> None:
    values = " ".join(f"<{c}>" for c in classes)
    expected = {r["s"] for r in select(store, f"SELECT DISTINCT ?s WHERE {{ VALUES ?c {{ {values} }} ?s a ?c }}")}
    data = client.get(f"/{name}.json").get_json()
    assert {item["iri"] for item in data["items"]} == expected
    assert data["count"] == len(expected)
    assert all(item["url"].startswith(PUBLIC) for item in data["items"])
    html = client.get(f"/{name}", headers={"Accept": BROWSER})
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert client.get(f"/{name}", headers={"Accept": "application/json"}).get_json() == data


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Sofia", ID + "place/sofia"),
        ("София", ID + "place/sofia"),
        ("соф", ID + "place/sofia"),
        ("столична", ID + "organisation/sofia-municipality"),
        ("digital transition", DT),
        ("ДИГИТАЛЕН", DT),
        ("Metropole de Lyon", ID + "organisation/metropole-de-lyon"),
    ],
)
def test_label_search_across_languages(client: FlaskClient, q: str, expected: str) -> None:
    data = client.get("/api/search", query_string={"q": q}).get_json()
    iris = [item["iri"] for item in data["results"]]
    assert expected in iris, (q, iris[:5])
    assert len(iris) == len(set(iris))


def test_search_copes_with_empty_and_odd_input(client: FlaskClient) -> None:
    assert client.get("/api/search?q=").get_json()["results"] == []
    assert client.get("/api/search", query_string={"q": "') } DROP ALL #"}).status_code == 200
    assert client.get("/api/search?q=a&limit=nope").status_code == 200
    page = client.get("/search?q=<b>x</b>", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


# ---------------------------------------------------------------- the model


def test_the_ontology_is_published_as_html_and_rdf(client: FlaskClient) -> None:
    html = client.get("/ontology", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'id="Partnership"' in html and "uaeu:coordinates" in html
    for media in RDFLIB_FORMATS:
        response = client.get("/ontology", headers={"Accept": media})
        assert response.mimetype == media
        graph = _parse(response.data, media)
        assert (URIRef(BASE + "ontology#Partnership"), RDF.type, OWL.Class) in graph
        assert (URIRef(BASE + "ontology"), RDF.type, OWL.Ontology) in graph


def test_vocabularies_are_published_as_html_and_rdf(client: FlaskClient) -> None:
    html = client.get("/vocab/role/coordinator", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "Coordinator" in html and 'id="incoming"' in html
    graph = _parse(client.get("/vocab/theme.ttl").data, "text/turtle")
    assert (None, URIRef("http://www.w3.org/2004/02/skos/core#inScheme"), URIRef(BASE + "vocab/theme")) in graph


# ---------------------------------------------------------------- dumps and VoID


def test_every_dump_is_listed_with_a_checksum_matching_the_bytes_served(client: FlaskClient, release_dir: Path) -> None:
    listing = client.get("/dumps/index.json").get_json()
    report = json.loads((release_dir / "report.json").read_text(encoding="utf-8"))
    assert listing["release"] == report["release"]
    names = {f["name"] for f in listing["files"]}
    assert names == {f"uaeu.{ext}{gz}" for ext in ("trig", "nq", "ttl", "nt", "jsonld") for gz in ("", ".gz")}
    with client.get("/dumps/SHA256SUMS") as response:
        sums = response.get_data(as_text=True)
    for item in listing["files"]:
        assert item["url"] == PUBLIC + "dumps/" + item["name"]
        with client.get("/dumps/" + item["name"]) as response:
            assert response.status_code == 200
            assert hashlib.sha256(response.data).hexdigest() == item["sha256"]
            assert len(response.data) == item["size"]
        assert f"{item['sha256']}  {item['name']}" in sums
    html = client.get("/dumps/", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert report["release"] in html and all(f["sha256"] in html for f in listing["files"])


def test_dump_downloads_are_conditional_and_ranged(client: FlaskClient) -> None:
    with client.get("/dumps/uaeu.ttl") as first:
        assert first.headers["ETag"] and first.headers["Last-Modified"]
        whole = first.data
    for headers in ({"If-None-Match": first.headers["ETag"]}, {"If-Modified-Since": first.headers["Last-Modified"]}):
        with client.get("/dumps/uaeu.ttl", headers=headers) as response:
            assert response.status_code == 304 and response.data == b""
    with client.get("/dumps/uaeu.ttl", headers={"Range": "bytes=0-99"}) as part:
        assert part.status_code == 206 and part.data == whole[:100]
        assert part.headers["Content-Range"] == f"bytes 0-99/{len(whole)}"
    assert client.get("/dumps/../report.json").status_code == 404
    assert client.get("/dumps/report.json").status_code == 404


def test_void_counts_equal_counts_taken_by_sparql(client: FlaskClient, store: ox.Store) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "*/*"})
    assert response.mimetype == "text/turtle"
    void = _parse(response.data, "text/turtle")
    dataset = URIRef(BASE + "dataset")

    def value(subject: URIRef, predicate: URIRef) -> int:
        found = void.value(subject, predicate)
        assert isinstance(found, Literal)
        return int(found)

    def count(query: str) -> int:
        return int(select(store, query)[0]["n"])

    assert value(dataset, VOID.triples) == count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert value(dataset, VOID.entities) == count("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?s)) }")
    assert value(dataset, VOID.classes) == count("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }")
    assert value(dataset, VOID.properties) == count("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }")
    partitions = list(void.objects(dataset, VOID.classPartition))
    assert len(partitions) == value(dataset, VOID.classes)
    for part in partitions:
        cls = void.value(part, VOID["class"])
        assert value(part, VOID.entities) == count(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a <{cls}> }}")
    for part in void.objects(dataset, VOID.propertyPartition):
        prop = void.value(part, VOID.property)
        assert value(part, VOID.triples) == count(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{prop}> ?o }}")
    targets = {str(void.value(ls, VOID.objectsTarget)) for ls in void.subjects(RDF.type, VOID.Linkset)}
    assert targets == {"http://www.wikidata.org/", "http://publications.europa.eu/resource/authority/"}
    for linkset in void.subjects(RDF.type, VOID.Linkset):
        prop = void.value(linkset, VOID.linkPredicate)
        target = (
            "http://www.wikidata.org/entity/"
            if "wikidata" in str(void.value(linkset, VOID.objectsTarget))
            else "http://publications.europa.eu/resource/authority/"
        )
        assert value(linkset, VOID.triples) == count(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{prop}> ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), '{target}')) }}")
    assert void.value(dataset, VOID.sparqlEndpoint) == URIRef(PUBLIC + "sparql")
    assert (dataset, URIRef("http://purl.org/dc/terms/license"), URIRef("https://creativecommons.org/licenses/by/4.0/")) in void
    assert void.value(dataset, URIRef("http://purl.org/dc/terms/issued")) is not None
    dumps = {str(d) for d in void.objects(dataset, VOID.dataDump)}
    assert dumps == {PUBLIC + f"dumps/uaeu.{ext}" for ext in ("trig", "nq", "ttl", "nt", "jsonld")}
    listing = {f["name"]: f["sha256"] for f in client.get("/dumps/index.json").get_json()["files"]}
    for dist in void.objects(dataset, DCAT.distribution):
        url = str(void.value(dist, DCAT.downloadURL))
        checksum = void.value(dist, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == listing[url.rsplit("/", 1)[1]]


@pytest.mark.parametrize("media", list(RDFLIB_FORMATS))
def test_void_in_every_rdf_format(client: FlaskClient, media: str) -> None:
    response = client.get("/.well-known/void", headers={"Accept": media})
    assert response.mimetype == media
    assert (URIRef(BASE + "dataset"), RDF.type, VOID.Dataset) in _parse(response.data, media)


# ---------------------------------------------------------------- escaping


def test_markup_in_the_data_is_escaped_everywhere(tmp_path: Path) -> None:
    """A label carrying markup must show as text, and must not end the embedded JSON-LD script."""
    evil = "<script>alert(1)</script>"
    shutil.copytree(PROJECT_ROOT / "data", tmp_path / "data")
    rename_organisation(tmp_path / "data", "sofia-municipality", name_en=evil)
    build_dir = tmp_path / "build"
    build(Settings(data_dir=tmp_path / "data", build_dir=build_dir))
    app = make_app(build_dir, public_url=PUBLIC)
    try:
        client = app.test_client()
        escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
        for path in (
            "/doc/organisation/sofia-municipality",
            "/doc/partnership/digital-transition",
            "/doc/place/sofia",
            "/doc/country/BGR",
            "/organisations",
            "/search?q=alert",
        ):
            body = client.get(path + ("&" if "?" in path else "?") + "lang=en", headers={"Accept": BROWSER}).get_data(as_text=True)
            assert evil not in body, path
            assert "alert(1)" in body, path
            assert escaped in body or "\\u003cscript\\u003ealert(1)" in body, path
        page = client.get("/doc/organisation/sofia-municipality?lang=en", headers={"Accept": BROWSER}).get_data(as_text=True)
        assert f"<h1>{escaped}</h1>" in page
        script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert script and "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in script.group(1)
        assert evil in json.dumps(json.loads(script.group(1)), ensure_ascii=False), "the JSON-LD still carries the real value"
    finally:
        close_app(app)
