"""`uaeu serve --store sparql`: every door of the web app answered by a remote server, and a
clear 503 with Retry-After (never a hang) while that server is down."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from graph.builder.pipeline import Built
from graph.store.push import endpoints_for, push
from tests.backends import oxigraph_server
from tests.conftest import BASE
from tests.servers import start_server

COUNT = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/uaeu/ontology#Partnership> }"


def _get(url: str, accept: str = "*/*", timeout: float = 15) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _sparql(base: str, query: str) -> tuple[int, dict[str, str], bytes]:
    return _get(f"{base}/sparql?{urllib.parse.urlencode({'query': query})}", "application/sparql-results+json")


def test_serve_from_a_remote_server_and_survive_its_outage(built: Built, release_dir: Path, tmp_path: Path) -> None:
    with oxigraph_server(tmp_path / "oxigraph") as remote:
        push(release_dir, endpoints_for(remote.query_url))
        args = ["--store", "sparql", "--endpoint", remote.query_url]
        with start_server(tmp_path / "no-local-build", env={"UAEU_QUERY_TIMEOUT": "3"}, args=args) as app:
            status, _, body = _sparql(app.url, COUNT)
            assert status == 200, body
            assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "20"
            status, headers, _ = _sparql(app.url, COUNT)
            assert status == 200 and headers["X-Cache"] == "miss", "a remote store may change under us: its answers are never kept"
            status, _, body = _get(app.url + "/doc/partnership/digital-transition", "text/html")
            assert status == 200
            assert "Sofia Municipality" in body.decode("utf-8")
            status, _, body = _get(app.url + "/doc/place/sofia", "text/html")
            assert status == 200, body
            status, _, body = _get(app.url + "/api/network/partnerships?format=json")
            assert status == 200, body
            assert len(json.loads(body)["nodes"]) == 20
            status, _, body = _get(app.url + "/api/map?partnership=digital-transition")
            assert status == 200, body
            assert "Sofia" in body.decode("utf-8")
            # Search's index (labels and context) and the home page's list counts are read from the remote at start.
            status, _, body = _get(app.url + "/api/search?" + urllib.parse.urlencode({"q": "sofia 2017"}))
            assert status == 200, body
            assert BASE + "id/event/dt-2nd-sofia-2017" in [item["iri"] for item in json.loads(body)["results"][:5]]
            status, _, body = _get(app.url + "/index.json")
            assert {item["name"]: item["count"] for item in json.loads(body)["lists"]}["partnerships"] == 20
            status, _, body = _get(app.url + "/version")
            assert json.loads(body)["release"] == built.report["release"]

            remote.kill()
            for path, accept in (("/sparql?" + urllib.parse.urlencode({"query": COUNT}), "application/sparql-results+json"), ("/doc/place/sofia", "text/html")):
                started = time.monotonic()
                status, headers, body = _get(app.url + path, accept)
                assert status == 503, body
                assert int(headers["Retry-After"]) > 0
                assert "unavailable" in body.decode("utf-8").lower() or "refused" in body.decode("utf-8").lower()
                assert time.monotonic() - started < 3 + 1

            remote.start()
            deadline = time.monotonic() + 20
            while True:
                status, _, body = _sparql(app.url, COUNT)
                if status == 200 or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert status == 200, body
            assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "20"


def test_serve_refuses_a_remote_without_a_release(tmp_path: Path) -> None:
    with oxigraph_server(tmp_path / "empty") as remote, pytest.raises(RuntimeError, match="no release"):
        start = start_server(tmp_path / "none", args=["--store", "sparql", "--endpoint", remote.query_url], timeout=20)
        with start:
            pass


def test_remote_store_gets_no_query_that_would_fetch(built: Built, release_dir: Path, tmp_path: Path) -> None:
    """The remote server (here Oxigraph, which would follow SERVICE) only ever gets queries our guard passed."""
    from tests.test_public_safety import Listener, _tricks

    listener = Listener()
    try:
        with oxigraph_server(tmp_path / "oxigraph") as remote:
            push(release_dir, endpoints_for(remote.query_url))
            args = ["--store", "sparql", "--endpoint", remote.query_url]
            with start_server(tmp_path / "no-local-build", env={"UAEU_QUERY_TIMEOUT": "3", "UAEU_QUERIES_PER_CLIENT": "50"}, args=args) as app:
                statuses = {name: _sparql(app.url, query)[0] for name, query in _tricks(listener.url)}
                assert _sparql(app.url, COUNT)[0] == 200
        time.sleep(0.3)
        assert listener.connections == []
        assert {name: s for name, s in statuses.items() if not 400 <= s < 500} == {}
    finally:
        listener.close()
