"""`uaeu push` against real servers: a release replaced by the next one with no half-release
window, and the remote backend's behaviour when its server is down, slow, or back again."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.builder.dumps import write_release
from graph.builder.pipeline import Built, build
from graph.config import PROJECT_ROOT, Settings
from graph.release import Release
from graph.store import QueryError, StoreUnavailable
from graph.store.push import Endpoints, endpoints_for, push, switch_update
from graph.store.remote import RemoteStore
from tests.backends import RemoteServer, oxigraph_server, virtuoso_server
from webapp.cli import main as cli_main

SERVERS = {"oxigraph": oxigraph_server, "virtuoso": virtuoso_server}
# One request reads the label from the union and from the source graphs, so a reader during a push
# would see a half-switched release as two different labels in one answer.
LABELS_QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?p ?union ?named WHERE {
  { ?p skos:prefLabel ?union FILTER(LANG(?union) = "en") }
  { GRAPH ?g { ?p skos:prefLabel ?named } FILTER(LANG(?named) = "en") }
}"""
AIR_QUALITY = ox.NamedNode("https://w3id.org/uaeu/id/partnership/air-quality")


@pytest.fixture(scope="module")
def release_b(built: Built, tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, Path]:
    """Release B: the curated data with one partnership renamed, built from a tmp copy of data/."""
    root = tmp_path_factory.mktemp("release-b")
    data = root / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    yaml = data / "partnerships.yaml"
    text = yaml.read_text(encoding="utf-8")
    assert "en: Partnership on Air Quality" in text
    yaml.write_text(text.replace("en: Partnership on Air Quality", "en: Partnership on Clean Air Quality"), encoding="utf-8")
    return build(Settings(data_dir=data, build_dir=root / "build")), root / "build"


@contextmanager
def started(name: str, folder: Path) -> Iterator[RemoteServer]:
    with SERVERS[name](folder) as server:
        yield server


def _endpoints(server: RemoteServer) -> Endpoints:
    return endpoints_for(server.query_url, user=server.user, password=server.password)


def _labels(store: RemoteStore) -> list[tuple[str, str]]:
    """The renamed partnership's English label in the union and in the source graphs, in one request."""
    return sorted((row["union"].value, row["named"].value) for row in store.select(LABELS_QUERY, {"p": AIR_QUALITY}))


A_LABELS = [("Partnership on Air Quality", "Partnership on Air Quality")]
B_LABELS = [("Partnership on Clean Air Quality", "Partnership on Clean Air Quality")]


@pytest.mark.parametrize("name", SERVERS)
def test_push_replaces_release_a_by_release_b_with_no_half_release(
    name: str, built: Built, release_dir: Path, release_b: tuple[Built, Path], tmp_path: Path
) -> None:
    built_b, dir_b = release_b
    assert built.report["release"] != built_b.report["release"]
    with started(name, tmp_path) as server:
        store = RemoteStore(server.query_url, timeout=30, manifest_ttl=0)
        push(release_dir, _endpoints(server))
        assert store.release()["release"] == built.report["release"]
        assert _labels(store) == A_LABELS
        assert store.triple_count() == built.report["counts"]["triples"]

        seen: list[list[tuple[str, str]]] = []
        stop = threading.Event()

        def reader() -> None:
            reader_store = RemoteStore(server.query_url, timeout=60, manifest_ttl=0)
            while not stop.is_set():
                seen.append(_labels(reader_store))

        thread = threading.Thread(target=reader)
        thread.start()
        try:
            result = push(dir_b, _endpoints(server))
        finally:
            stop.set()
            thread.join(timeout=120)
        assert result.release == built_b.report["release"]
        # Queries see release B only ...
        assert store.release()["release"] == built_b.report["release"]
        assert _labels(store) == B_LABELS
        assert store.triple_count() == built_b.report["counts"]["triples"]
        assert len(store.graphs()) == built_b.report["counts"]["named_graphs"]
        assert "staging" not in " ".join(row["g"].value for row in store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))
        # ... and every reader during the push saw A or B whole, never a mix of both.
        assert seen, "the reader made no query during the push"
        assert all(labels in (A_LABELS, B_LABELS) for labels in seen), {str(x) for x in seen}


def test_push_drops_the_graphs_a_release_no_longer_has(built: Built, release_dir: Path, tmp_path: Path) -> None:
    """Release C: release A without one source graph (its union rebuilt to match)."""
    gone = "https://w3id.org/uaeu/graph/source/sda-946-sofia-meeting"
    c_dir = tmp_path / "release-c"
    release_a = Release.open(release_dir)
    quads = [q for q in ox.parse(path=str(release_a.dump("nq")), format=ox.RdfFormat.N_QUADS) if q.graph_name != ox.NamedNode(gone)]
    assert len(quads) < built.report["counts"]["quads"]
    union = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    files = {"nq": ox.serialize(quads, format=ox.RdfFormat.N_QUADS), "nt": ox.serialize(sorted(union, key=str), format=ox.RdfFormat.N_TRIPLES)}
    # Releases are read-only, so C is published as a release of its own rather than edited in a copy of A.
    write_release(c_dir, files, {**release_a.report, "release": "release-c"}, "# release C\n")
    with oxigraph_server(tmp_path / "server") as server:
        push(release_dir, _endpoints(server))
        result = push(c_dir, _endpoints(server))
        store = RemoteStore(server.query_url, timeout=30)
        assert result.dropped == 1
        assert gone not in store.graphs()
        assert store.triple_count(gone) == 0
        assert store.triple_count() == len(union)
        assert int(store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"].value) == len(quads)


@pytest.mark.parametrize("name", SERVERS)
def test_a_dead_server_is_unavailable_quickly_and_usable_after_restart(name: str, release_dir: Path, built: Built, tmp_path: Path) -> None:
    timeout = 3.0
    with started(name, tmp_path) as server:
        push(release_dir, _endpoints(server))
        store = RemoteStore(server.query_url, timeout=timeout)
        assert store.triple_count() == built.report["counts"]["triples"]
        server.kill()
        started_at = time.monotonic()
        with pytest.raises(StoreUnavailable) as caught:
            store.triple_count()
        assert time.monotonic() - started_at < timeout + 1
        assert caught.value.retry_after > 0
        server.start()
        assert store.triple_count() == built.report["counts"]["triples"]
        assert store.release()["release"] == built.report["release"]


def test_a_server_that_never_answers_is_unavailable_within_the_time_limit() -> None:
    """A socket that accepts connections but never answers (a hung server): no hang here."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        store = RemoteStore(f"http://127.0.0.1:{port}/query", timeout=1.0)
        started_at = time.monotonic()
        with pytest.raises(StoreUnavailable, match="did not answer in time"):
            store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        assert time.monotonic() - started_at < 3.0


def test_a_refused_connection_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        with pytest.raises(StoreUnavailable, match="unreachable"):
            RemoteStore(f"http://127.0.0.1:{port}/sparql", timeout=2).ask("ASK {}")


def test_uaeu_push_command(release_dir: Path, built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with oxigraph_server(tmp_path) as server:
        assert cli_main(["push", "--endpoint", server.query_url, "--build", str(release_dir)]) == 0
        out = capsys.readouterr().out
        assert f"pushed release {built.report['release']}" in out
        assert f"{built.report['counts']['named_graphs']} graphs" in out
        assert RemoteStore(server.query_url).triple_count() == built.report["counts"]["triples"]
        server.kill()
        assert cli_main(["push", "--endpoint", server.query_url, "--build", str(release_dir), "--timeout", "2"]) == 1
        assert "unreachable" in capsys.readouterr().err


def test_endpoints_default_from_the_query_url() -> None:
    oxi = endpoints_for("http://127.0.0.1:7878/query")
    assert (oxi.update, oxi.store, oxi.graph_param, oxi.quads_upload) == ("http://127.0.0.1:7878/update", "http://127.0.0.1:7878/store", "graph", True)
    virt = endpoints_for("http://127.0.0.1:8890/sparql", user="dba", password="pw")
    assert (virt.update, virt.store, virt.graph_param) == ("http://127.0.0.1:8890/sparql-auth", "http://127.0.0.1:8890/sparql-graph-crud-auth", "graph-uri")
    anonymous = endpoints_for("http://127.0.0.1:8890/sparql")
    assert (anonymous.update, anonymous.store) == ("http://127.0.0.1:8890/sparql", "http://127.0.0.1:8890/sparql-graph-crud")
    with pytest.raises(ValueError, match="--update-url"):
        endpoints_for("http://example.org/ds/sparql-query")
    other = endpoints_for("http://example.org/ds/q", update_url="http://example.org/ds/u", store_url="http://example.org/ds/data")
    assert (other.update, other.store, other.graph_param) == ("http://example.org/ds/u", "http://example.org/ds/data", "graph")


def test_switch_update_validates_every_iri() -> None:
    with pytest.raises(QueryError):
        switch_update({"https://x.org/g> } ; DROP ALL ; <x": "urn:s:1"}, [], "r", [], {})
