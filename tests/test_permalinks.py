"""Citable permalinks: pinned to a release, they keep answering with its rows after later builds and restarts.

A permalink is made while release 1 is served; releases 2 and 3 are then built into the same build
folder (the City of Gdynia joins Housing in 2), and a new app (a restart) is started over it. The
permalink must still show release 1's rows, and "run on the latest release" must show exactly the
one added row. Also: ids never repeat (1000 creations, and concurrent ones), CSL-JSON and BibTeX
are well formed, and hostile requests get a clear 4xx.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ID
from tests.helpers import close_app, make_app
from tests.three_releases import build_version
from webapp.permalinks import ID as ID_PATTERN
from webapp.permalinks import PermalinkStore

PUBLIC = "http://kg.example.org/"
ORIGIN = "http://kg.example.org"
GDYNIA_QUERY = f"SELECT ?partnership WHERE {{ ?m <http://www.w3.org/ns/org#member> <{ID}organisation/gdynia-city> ; <http://www.w3.org/ns/org#organization> ?partnership }} ORDER BY ?partnership"
HOUSING = ID + "partnership/housing"


def _app(build_dir: Path, **settings: Any) -> Flask:
    return make_app(build_dir, public_url=PUBLIC, cites_per_minute=10_000, **settings)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Release 1 served and cited, then releases 2 and 3 built; the first app stays up (serving release 1)."""
    root = tmp_path_factory.mktemp("cite")
    build_dir = root / "build"
    first = build_version(root, build_dir, 1)
    app = _app(build_dir)
    client = app.test_client()
    made = client.post("/cite", json={"kind": "sparql", "query": GDYNIA_QUERY}, headers={"Origin": ORIGIN})
    assert made.status_code == 201, made.get_data(as_text=True)
    network = client.post("/cite", json={"kind": "network", "parameters": "kind=partnerships&role=partners"})
    assert network.status_code == 201, network.get_data(as_text=True)
    resource = client.post("/cite", json={"kind": "resource", "iri": ID + "organisation/gdynia-city"})
    assert resource.status_code == 201, resource.get_data(as_text=True)
    pinned = client.get(f"/p/{made.get_json()['id']}.json").get_json()
    build_version(root, build_dir, 2)
    third = build_version(root, build_dir, 3)
    yield {
        "build_dir": build_dir,
        "first": first,
        "third": third,
        "old_app": app,
        "sparql": made.get_json(),
        "network": network.get_json(),
        "resource": resource.get_json(),
        "pinned": pinned,
    }
    close_app(app)


@pytest.fixture(scope="module")
def restarted(archive: dict[str, Any]) -> Iterator[Flask]:
    """A new app over the same build folder: it serves release 3."""
    app = _app(archive["build_dir"])
    yield app
    close_app(app)


@pytest.fixture
def client(restarted: Flask) -> FlaskClient:
    return restarted.test_client()


def _values(answer: dict[str, Any], name: str) -> list[str]:
    return [row[name]["value"] for row in answer["results"]["bindings"]]


# ---------------------------------------------------------------- pinned to a release


def test_permalink_answers_release_one_rows_after_rebuilds_and_a_restart(archive: dict[str, Any], client: FlaskClient) -> None:
    made = archive["sparql"]
    assert ID_PATTERN.match(made["id"])
    assert made["url"] == f"{PUBLIC}p/{made['id']}"
    assert made["release"] == archive["first"].id
    before = archive["pinned"]["answer"]
    assert HOUSING not in _values(before, "partnership") and len(_values(before, "partnership")) >= 1
    for app_client in (archive["old_app"].test_client(), client):
        again = app_client.get(f"/p/{made['id']}.json").get_json()
        assert again["answer"] == before
        assert again["release"] == archive["first"].id
        assert again["query"] == GDYNIA_QUERY
    headers = client.get(f"/p/{made['id']}.json").headers
    assert headers["X-Release"] == archive["third"].id  # served by the restarted app
    assert headers["X-Pinned-Release"] == archive["first"].id  # the answer's own release
    page = client.get(f"/p/{made['id']}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert archive["first"].id in page
    assert f'href="{PUBLIC}p/{made["id"]}/latest"' in page
    for partnership in _values(before, "partnership"):
        assert partnership in page


def test_run_on_latest_shows_the_added_row(archive: dict[str, Any], client: FlaskClient) -> None:
    made = archive["sparql"]
    latest = client.get(f"/p/{made['id']}/latest.json").get_json()
    assert latest["pinned_release"] == archive["first"].id and latest["latest_release"] == archive["third"].id
    assert [row["partnership"]["value"] for row in latest["added"]] == [HOUSING]
    assert latest["removed"] == []
    assert latest["kept"] == len(_values(archive["pinned"]["answer"], "partnership"))
    assert latest["changes"] == f"{PUBLIC}releases/{archive['third'].folder.name}/changes"
    page = client.get(f"/p/{made['id']}/latest", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "+1 row(s) added, −0 row(s) removed" in page
    assert HOUSING in page


def test_network_and_resource_citations_pin_their_views(archive: dict[str, Any], client: FlaskClient) -> None:
    network = client.get(f"/p/{archive['network']['id']}.json").get_json()
    assert network["kind"] == "network" and network["parameters"] == {"kind": ["partnerships"], "role": ["partners"]}
    assert network["title"] == "Partner network (partnerships)"
    assert network["links"]["view"] == f"{PUBLIC}network?kind=partnerships&role=partners"
    assert network["rows"] == len(network["answer"]["results"]["bindings"]) > 0
    assert network["answer"]["head"]["vars"] == ["source", "target", "weight"]
    # Gdynia joined Housing: the partnerships network gains (or reweights) links to Housing.
    latest = client.get(f"/p/{archive['network']['id']}/latest.json").get_json()
    assert latest["added"] and all(HOUSING in (r["source"]["value"], r["target"]["value"]) for r in latest["added"])
    resource = client.get(f"/p/{archive['resource']['id']}.json").get_json()
    assert resource["query"] == f"DESCRIBE <{ID}organisation/gdynia-city>"
    assert resource["links"]["view"] == f"{PUBLIC}doc/organisation/gdynia-city"
    assert {"subject", "predicate", "object"} == set(resource["answer"]["head"]["vars"])
    described = client.get(f"/p/{archive['resource']['id']}/latest.json").get_json()
    assert any(HOUSING in json.dumps(row) for row in described["added"])


# ---------------------------------------------------------------- citing formats


def test_csl_json_and_bibtex(archive: dict[str, Any], client: FlaskClient) -> None:
    pid = archive["sparql"]["id"]
    csl = client.get(f"/p/{pid}.csl.json")
    assert csl.status_code == 200 and csl.mimetype == "application/vnd.citationstyles.csl+json"
    items = json.loads(csl.get_data(as_text=True))
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    assert item["type"] == "dataset"
    assert archive["first"].id in item["title"]
    assert item["URL"] == f"{PUBLIC}p/{pid}"
    year, month, day = item["issued"]["date-parts"][0]
    assert year > 2000 and 1 <= month <= 12 and 1 <= day <= 31
    bib = client.get(f"/p/{pid}.bib").get_data(as_text=True)
    assert re.match(rf"^@misc\{{uaeu-{pid},\n", bib)
    depth = 0
    for char in bib.replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    assert f"url = {{{PUBLIC}p/{pid}}}" in bib
    assert re.search(r"year = \{\d{4}\}", bib)
    page = client.get(f"/p/{pid}?lang=bg", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "издание" in page and "Изпълни върху последното издание" in page


# ---------------------------------------------------------------- ids


def test_ids_are_unique_across_1000_creations_and_a_reopened_store(tmp_path: Path) -> None:
    path = tmp_path / "permalinks.sqlite3"
    store = PermalinkStore(path)
    answer = {"head": {"vars": ["x"]}, "results": {"bindings": []}}
    ids = [store.create("sparql", f"SELECT {n}", {}, "r1", answer, 0, False).id for n in range(1000)]
    reopened = PermalinkStore(path)
    ids += [reopened.create("sparql", "SELECT 1", {}, "r1", answer, 0, False).id for _ in range(10)]
    assert len(set(ids)) == len(ids) == 1010
    assert all(ID_PATTERN.match(i) for i in ids)
    assert max(len(i) for i in ids) <= 8
    assert reopened.get(ids[500]) is not None and reopened.get(ids[500]).query == "SELECT 500"  # type: ignore[union-attr]


def test_concurrent_creations_get_distinct_ids(tmp_path: Path) -> None:
    store = PermalinkStore(tmp_path / "p.sqlite3")
    found: list[str] = []
    lock = threading.Lock()

    def make() -> None:
        for _ in range(25):
            made = store.create("sparql", "ASK {}", {}, "r", {"head": {}, "boolean": True}, 1, False).id
            with lock:
                found.append(made)

    threads = [threading.Thread(target=make) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == len(set(found)) == 150 == store.count()


# ---------------------------------------------------------------- hostile input


@pytest.mark.parametrize("name", ["zzzzzz", "../../etc", "a.b", "x" * 100, "%00", "ABCDEF"])
def test_bad_ids_are_404(client: FlaskClient, name: str) -> None:
    for suffix in ("", ".json", ".csl.json", ".bib", "/latest", "/latest.json"):
        assert client.get(f"/p/{name}{suffix}").status_code == 404


@pytest.mark.parametrize(
    ("body", "headers", "status", "words"),
    [
        (
            json.dumps({"kind": "sparql", "query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70_000}),
            {"Content-Type": "application/json"},
            413,
            "longer than 65536 bytes",
        ),
        (json.dumps({"kind": "sparql", "query": "x" * 300_000}), {"Content-Type": "application/json"}, 413, "larger than"),
        (json.dumps({"kind": "sparql", "query": "SELECT ?s WHERE { ?s ?p ?o }\x00"}), {"Content-Type": "application/json"}, 400, "control characters"),
        (b"\xff\xfe{}", {"Content-Type": "application/json"}, 400, "UTF-8"),
        ("not json", {"Content-Type": "application/json"}, 400, "not JSON"),
        ("[1, 2]", {"Content-Type": "application/json"}, 400, "JSON object"),
        ("kind=sparql&query=SELECT", {"Content-Type": "text/plain"}, 415, "application/json"),
        (json.dumps({"kind": "sparql"}), {"Content-Type": "application/json"}, 400, "query"),
        (json.dumps({"kind": "sparql", "query": 42}), {"Content-Type": "application/json"}, 400, "text"),
        (json.dumps({"kind": "shell", "query": "x"}), {"Content-Type": "application/json"}, 400, "kind must be"),
        (json.dumps({"kind": "sparql", "query": "SELECT ?x WHERE { ?x }"}), {"Content-Type": "application/json"}, 400, "syntax"),
        (json.dumps({"kind": "sparql", "query": "DELETE WHERE { ?s ?p ?o }"}), {"Content-Type": "application/json"}, 400, ""),
        (json.dumps({"kind": "resource", "iri": "javascript:alert(1)"}), {"Content-Type": "application/json"}, 400, "IRI"),
        (json.dumps({"kind": "resource", "iri": ID + "organisation/no-such-thing"}), {"Content-Type": "application/json"}, 404, "no resource"),
        (json.dumps({"kind": "network", "parameters": "kind=partnerships&evil=1"}), {"Content-Type": "application/json"}, 400, "not a network parameter"),
        (json.dumps({"kind": "network", "parameters": "kind=nonsense"}), {"Content-Type": "application/json"}, 400, "kind"),
        (json.dumps({"kind": "network", "parameters": "query=SELECT"}), {"Content-Type": "application/json"}, 400, "SPARQL editor"),
        (json.dumps({"kind": "sparql", "query": "SELECT 1 {}"}), {"Content-Type": "application/json", "Origin": "https://evil.example"}, 403, "own pages"),
        (json.dumps({"kind": "sparql", "query": "SELECT 1 {}"}), {"Content-Type": "application/json", "Origin": "null"}, 403, "own pages"),
        (json.dumps({"kind": "sparql", "query": "SELECT 1 {}"}), {"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, 403, "another site"),
    ],
)
def test_hostile_cite_requests_get_a_clear_4xx(client: FlaskClient, body: str | bytes, headers: dict[str, str], status: int, words: str) -> None:
    answer = client.post("/cite", data=body, headers=headers)
    assert answer.status_code == status, answer.get_data(as_text=True)
    error = answer.get_json()
    assert error["status"] == status and words in error["error"]


def test_a_hostile_query_text_is_shown_escaped(client: FlaskClient) -> None:
    query = 'ASK { ?s ?p "</pre><script>alert(1)</script>" }'
    made = client.post("/cite", json={"kind": "sparql", "query": query})
    assert made.status_code == 201
    page = client.get(f"/p/{made.get_json()['id']}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    bib = client.get(f"/p/{made.get_json()['id']}.bib").get_data(as_text=True)
    assert "<script>" not in bib  # the query never goes into BibTeX


def test_a_chunked_body_without_length_is_still_capped(client: FlaskClient) -> None:
    body = io.BytesIO(b'{"kind": "sparql", "query": "' + b"x" * 400_000 + b'"}')
    answer = client.post(
        "/cite",
        input_stream=body,
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as a WSGI server says of a de-chunked body
    )
    assert answer.status_code == 413
    assert answer.get_json()["status"] == 413


def test_a_plain_form_cites_and_redirects(client: FlaskClient) -> None:
    answer = client.post("/cite", data={"kind": "sparql", "query": "ASK { ?s ?p ?o }"}, headers={"Accept": "text/html,application/xhtml+xml", "Origin": ORIGIN})
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith(f"{PUBLIC}p/")
    pinned = client.get(answer.headers["Location"].removeprefix(PUBLIC.rstrip("/")) + ".json").get_json()
    assert pinned["answer"]["boolean"] is True and pinned["rows"] == 1


def test_too_big_answers_and_too_many_citations_are_refused(archive: dict[str, Any]) -> None:
    small = make_app(archive["build_dir"], public_url=PUBLIC, max_cite_bytes=200, cites_per_minute=3)
    try:
        client = small.test_client()
        big = client.post("/cite", json={"kind": "sparql", "query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 50"})
        assert big.status_code == 413 and "UAEU_MAX_CITE_BYTES" in big.get_json()["error"]
        statuses = [client.post("/cite", json={"kind": "sparql", "query": "ASK {}"}).status_code for _ in range(3)]
        assert statuses == [201, 201, 429]  # the refused big answer counted too: 3 a minute
        limited = client.post("/cite", json={"kind": "sparql", "query": "ASK {}"})
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
        assert "UAEU_CITES_PER_MINUTE" in limited.get_json()["error"]
    finally:
        close_app(small)


def test_the_store_lives_where_the_setting_says(archive: dict[str, Any], tmp_path: Path) -> None:
    assert (archive["build_dir"] / "permalinks.sqlite3").is_file()
    assert not any(p.name.startswith("permalinks") for p in (archive["build_dir"] / "releases").rglob("*"))
    elsewhere = tmp_path / "cites" / "store.sqlite3"
    app = make_app(archive["build_dir"], public_url=PUBLIC, permalinks=str(elsewhere))
    try:
        made = app.test_client().post("/cite", json={"kind": "sparql", "query": "ASK {}"})
        assert made.status_code == 201
        assert PermalinkStore(elsewhere).get(made.get_json()["id"]) is not None
        assert app.test_client().get(f"/p/{made.get_json()['id']}.json").status_code == 200
    finally:
        close_app(app)
