"""The HTTP rules every door shares (webapp.plumbing): negotiation, JSON twins, CORS, one JSON error shape, X-Release."""

from __future__ import annotations

import gzip
import hashlib

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph.formats import DOCUMENT_FORMATS, GRAPH_FORMATS, RESULT_FORMATS, Format, by_media_type, by_name, media_types
from webapp.plumbing import negotiate
from webapp.resources import resources

PUBLIC = "https://kg.example.org/uaeu/"
APP_SETTINGS = {"public_url": PUBLIC}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "extension", "offered", "chosen"),
    [
        (None, None, DOCUMENT_FORMATS, "turtle"),
        ("*/*", None, DOCUMENT_FORMATS, "turtle"),
        (BROWSER, None, DOCUMENT_FORMATS, "html"),
        ("text/*", None, DOCUMENT_FORMATS, "turtle"),  # HTML only for a client that names it
        ("application/json", None, DOCUMENT_FORMATS, "jsonld"),  # an alias
        ("text/plain", None, DOCUMENT_FORMATS, "ntriples"),
        ("application/xml", None, DOCUMENT_FORMATS, "rdfxml"),
        ("text/turtle;q=0.5, application/ld+json", None, DOCUMENT_FORMATS, "jsonld"),
        ("image/png", None, DOCUMENT_FORMATS, None),
        ("image/png", "nt", DOCUMENT_FORMATS, "ntriples"),  # an extension decides alone
        ("*/*", "pdf", DOCUMENT_FORMATS, None),
        ("*/*", None, RESULT_FORMATS, "json"),
        ("text/csv;q=0.9, application/sparql-results+xml", None, RESULT_FORMATS, "xml"),
        ("application/json", None, RESULT_FORMATS, "json"),
        ("text/turtle", None, RESULT_FORMATS, None),
    ],
)
def test_negotiate(app: Flask, accept: str | None, extension: str | None, offered: tuple[Format, ...], chosen: str | None) -> None:
    with app.test_request_context("/", headers={"Accept": accept} if accept else {}):
        found = negotiate(offered, extension)
    assert (found.name if found else None) == chosen


def test_one_registry_one_name_per_format() -> None:
    assert by_name("ttl", GRAPH_FORMATS) is by_name("turtle", GRAPH_FORMATS) is by_media_type("application/x-turtle", GRAPH_FORMATS)
    assert by_name("json", RESULT_FORMATS) is not by_name("json", GRAPH_FORMATS), "format=json means SPARQL JSON for SELECT, JSON-LD for CONSTRUCT"
    assert by_name("pdf", GRAPH_FORMATS) is None
    assert media_types(GRAPH_FORMATS)[:4] == ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"], "own types first"


@pytest.mark.parametrize(
    ("page", "twin"),
    [
        ("/", "/index.json"),
        ("/partnerships", "/partnerships.json"),
        ("/search?q=sofia", "/search.json?q=sofia"),
        ("/dumps/", "/dumps/index.json"),
        ("/map", "/map.json"),
    ],
)
def test_every_page_has_a_json_twin_and_says_where(client: FlaskClient, page: str, twin: str) -> None:
    html = client.get(page, headers={"Accept": BROWSER})
    assert html.status_code == 200 and html.mimetype == "text/html"
    as_json = client.get(twin)
    assert as_json.status_code == 200 and as_json.mimetype == "application/json"
    assert as_json.get_json()
    stem = twin.split("?")[0].removesuffix(".json")
    assert f'<{PUBLIC}{stem.lstrip("/")}.json>; rel="alternate"; type="application/json"' in html.headers["Link"]
    negotiated = client.get(page, headers={"Accept": "application/json"})
    assert negotiated.mimetype == "application/json" and "Accept" in negotiated.headers["Vary"]


@pytest.mark.parametrize(
    "path", ["/sparql?query=ASK%7B%7D", "/api/search?q=sofia", "/api/map", "/api/network", "/doc/place/sofia", "/ontology", "/.well-known/void"]
)
def test_machine_readable_doors_are_open_to_other_sites(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://researcher.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Release" in response.headers["Access-Control-Expose-Headers"]


def test_preflight_and_pages_for_people_stay_same_origin(client: FlaskClient) -> None:
    preflight = client.options("/api/map", headers={"Origin": "https://researcher.example", "Access-Control-Request-Method": "GET"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/partnerships", headers={"Accept": BROWSER}).headers


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/no-such-api", 404, "not found"),
        ("/api/map?colour=red", 400, "unknown parameter(s): colour"),
        ("/api/map?partnership=no-such-partnership", 404, "no partnership"),
        ("/api/network/ego/no-such-body", 404, "not in this network"),
        ("/network.json?kind=tree", 400, "unknown network 'tree'"),
        ("/nothing.json", 404, "not found"),
    ],
)
def test_json_apis_have_one_error_shape(client: FlaskClient, path: str, status: int, words: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"status", "error"} and body["status"] == status
    assert words in body["error"]


def test_sparql_protocol_errors_stay_plain_text(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string=[("query", "ASK {}"), ("query", "ASK {}")])
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert client.delete("/sparql").mimetype == "text/plain"


def test_every_answer_names_its_release(client: FlaskClient, app: Flask) -> None:
    release = resources(app).release_id
    for path in ("/", "/healthz", "/nothing-here", "/api/nothing", "/static/site.css"):
        with client.get(path) as response:
            assert response.headers["X-Release"] == release, path


# ---------------------------------------------------------------- compression and caching

GZIP = {"Accept-Encoding": "gzip, deflate"}


def test_text_answers_are_gzipped_for_clients_that_accept_it(client: FlaskClient) -> None:
    """/network.json: the same bytes, much smaller, with Vary and a Content-Length that is the compressed body's."""
    identity = client.get("/network.json", headers={"Accept-Encoding": "identity"})
    assert identity.status_code == 200 and "Content-Encoding" not in identity.headers
    assert "Accept-Encoding" in identity.vary
    plain = identity.data
    assert len(plain) > 10_000
    compressed = client.get("/network.json", headers=GZIP)
    assert compressed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed.vary and "Accept" not in compressed.headers.get("Accept-Ranges", "")
    assert int(compressed.headers["Content-Length"]) == len(compressed.data)
    assert gzip.decompress(compressed.data) == plain
    assert len(compressed.data) < len(plain) / 4
    assert compressed.mimetype == identity.mimetype == "application/json"
    # Small answers and clients that say nothing of encodings get the identity body.
    assert "Content-Encoding" not in client.get("/healthz", headers=GZIP).headers
    assert "Content-Encoding" not in client.get("/network.json").headers


def test_sparql_results_and_pages_are_gzipped_too(client: FlaskClient) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 200"
    for accept in ("application/sparql-results+json", "text/csv"):
        response = client.get("/sparql", query_string={"query": query}, headers={**GZIP, "Accept": accept})
        assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip", accept
        assert gzip.decompress(response.data).startswith(b"s,p,o" if accept == "text/csv" else b"{")
    page = client.get("/partnerships", headers={**GZIP, "Accept": "text/html"})
    assert page.headers["Content-Encoding"] == "gzip" and b"<html" in gzip.decompress(page.data)


def test_dump_downloads_are_never_recompressed(client: FlaskClient) -> None:
    """/dumps/ with gzip accepted: the file's own bytes, its SHA-256 ETag, and byte ranges, exactly as without."""
    with client.get("/dumps/uaeu.nt") as identity:
        whole, etag = identity.data, identity.headers["ETag"]
    with client.get("/dumps/uaeu.nt", headers=GZIP) as response:
        assert response.status_code == 200 and "Content-Encoding" not in response.headers
        assert response.data == whole and response.headers["ETag"] == etag == f'"{hashlib.sha256(whole).hexdigest()}"'
        assert response.headers["Accept-Ranges"] == "bytes"
    with client.get("/dumps/uaeu.nt", headers={**GZIP, "Range": "bytes=0-99"}) as part:
        assert part.status_code == 206 and part.data == whole[:100] and "Content-Encoding" not in part.headers
    with client.get("/dumps/uaeu.nt", headers={**GZIP, "If-None-Match": etag}) as unchanged:
        assert unchanged.status_code == 304
    with client.get("/dumps/uaeu.nt.gz", headers=GZIP) as packed:
        assert "Content-Encoding" not in packed.headers and gzip.decompress(packed.data) == whole


def test_static_assets_are_cacheable_and_compressed_with_their_own_etag(client: FlaskClient) -> None:
    with client.get("/static/network.js") as identity:
        plain, etag = identity.data, identity.headers["ETag"]
        assert identity.cache_control.public and identity.cache_control.max_age == 86400
    with client.get("/static/network.js", headers=GZIP) as response:
        assert response.headers["Content-Encoding"] == "gzip" and gzip.decompress(response.data) == plain
        assert response.cache_control.public and response.cache_control.max_age == 86400
        assert response.headers["ETag"] != etag and "Accept-Ranges" not in response.headers
        compressed_etag = response.headers["ETag"]
    with client.get("/static/network.js", headers={**GZIP, "If-None-Match": compressed_etag}) as unchanged:
        assert unchanged.status_code == 304 and unchanged.data == b""
    with client.get("/static/network.js", headers={**GZIP, "Range": "bytes=0-9"}) as part:
        assert part.status_code == 206 and part.data == plain[:10] and "Content-Encoding" not in part.headers


def test_favicon_is_served_at_the_root(client: FlaskClient) -> None:
    """Browsers ask /favicon.ico on every site: a small icon (ICO holding one PNG), cacheable, not a 404."""
    with client.get("/favicon.ico", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 200
        assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
        assert response.data[:4] == b"\x00\x00\x01\x00" and b"\x89PNG" in response.data
        assert 0 < len(response.data) < 4096 and response.cache_control.max_age == 86400
