"""The public endpoint under attack: no outbound fetch, no Host-built redirect, no crash, no starvation.

Every outbound-fetch test runs with a real listener on 127.0.0.1 that records each connection;
the tricks are sent through every door that runs user SPARQL (GET, POST form, POST direct and the
network bridge), and the listener must stay silent while each answer is a 4xx that says why.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph.builder.pipeline import Built
from tests.helpers import close_app, make_app
from tests.servers import start_server
from webapp.resources import resources

PUBLIC = "https://kg.example.org/uaeu/"
JSON = {"Accept": "application/sparql-results+json"}
LIGHT = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/uaeu/ontology#Partnership> }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Listener:
    """A TCP server on 127.0.0.1 that accepts and records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(peer)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: 2\r\n\r\n{}")
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


SAFETY_SETTINGS = {"public_url": PUBLIC, "query_workers": 2, "query_timeout": 5.0}
APP_SETTINGS = {**SAFETY_SETTINGS, "queries_per_client": 100, "query_queue": 100}


def _app(release_dir: Path, **overrides: object) -> Flask:
    return make_app(release_dir, **{**SAFETY_SETTINGS, **overrides})


def _tricks(url: str) -> list[tuple[str, str]]:
    """(name, query) pairs: every way we found to ask for a fetch of `url` (a listener)."""
    host = url.rstrip("/")
    service = f"SERVICE <{url}sparql> {{ ?a ?b ?c }}"
    values = "PREFIX ex: <http://example.org/> SELECT * WHERE { VALUES ?v { "
    return [
        ("plain", f"SELECT * WHERE {{ {service} }}"),
        ("lower case", f"select * where {{ service <{url}sparql> {{ ?a ?b ?c }} }}"),
        ("mixed case silent", f"SELECT * WHERE {{ SeRvIcE SILENT <{url}sparql> {{ ?a ?b ?c }} }}"),
        ("after a CR-ended comment", f"SELECT * WHERE {{ ?s ?p ?o # hidden?\r{service}\n }}"),
        ("after a CRLF comment", f"SELECT * WHERE {{ ?s ?p ?o # hidden?\r\n{service}\n }}"),
        ("after a comment ended by an escaped CR", f"SELECT * WHERE {{ # \\u000D {service}\n}}"),
        ("after a comment ended by a long escaped CR", f"SELECT * WHERE {{ # \\U0000000D {service}\n}}"),
        ("after a comment ended by an escaped LF", f"SELECT * WHERE {{ # \\u000A {service}\n}}"),
        ("codepoint escape", f"SELECT * WHERE {{ \\u0053ERVICE <{url}sparql> {{ ?a ?b ?c }} }}"),
        ("escaped IRI", "SELECT * WHERE { SERVICE <" + "".join(f"\\u{ord(c):04X}" for c in url) + "> { ?a ?b ?c } }"),
        ("prefixed IRI", f"PREFIX x: <{url}> SELECT * WHERE {{ SERVICE x:sparql {{ ?a ?b ?c }} }}"),
        ("relative to BASE", f"BASE <{url}> SELECT * WHERE {{ SERVICE <sparql> {{ ?a ?b ?c }} }}"),
        ("variable endpoint", f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?a ?b ?c }} }}"),
        ("in EXISTS", f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ {service} }} }}"),
        ("in NOT EXISTS", f"ASK {{ FILTER NOT EXISTS {{ {service} }} }}"),
        ("in OPTIONAL", f"SELECT * WHERE {{ OPTIONAL {{ {service} }} }}"),
        ("in MINUS", f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ {service} }} }}"),
        ("in UNION", f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ {service} }} }}"),
        ("in sub-select", f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {service} }} }} }}"),
        ("in GRAPH", f"SELECT * WHERE {{ GRAPH ?g {{ {service} }} }}"),
        ("in CONSTRUCT", f"CONSTRUCT {{ ?a ?b ?c }} WHERE {{ {service} }}"),
        ("in DESCRIBE", f"DESCRIBE ?a WHERE {{ {service} }}"),
        ("behind a local-name escape", values + f"ex:a\\#b }} {service}\n }}"),
        ("behind a language tag", values + f"'a'@en#x\n }} {service} }}"),
        ("behind a string with #", values + f"'#' }} {service}\n }}"),
        ("FROM", f"SELECT * FROM <{url}data.ttl> WHERE {{ ?s ?p ?o }}"),
        ("FROM prefixed", f"PREFIX x: <{url}> SELECT * FROM x:data WHERE {{ ?s ?p ?o }}"),
        ("FROM relative to BASE", f"BASE <{url}> SELECT * FROM <data.ttl> WHERE {{ ?s ?p ?o }}"),
        ("FROM NAMED", f"SELECT * FROM NAMED <{url}g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"),
        ("FROM in ASK", f"ASK FROM <{url}x> {{ ?s ?p ?o }}"),
        ("FROM in DESCRIBE", f"DESCRIBE <{url}x> FROM <{url}x>"),
        ("LOAD", f"LOAD <{url}data.ttl>"),
        ("LOAD SILENT into graph", f"load silent <{url}data.ttl> into graph <{host}/g>"),
        ("query then update", f"SELECT * WHERE {{ ?s ?p ?o }} ; LOAD <{url}data.ttl>"),
        ("INSERT with SERVICE", f"INSERT {{ ?a ?b ?c }} WHERE {{ {service} }}"),
    ]


def _doors(client: FlaskClient, query: str) -> list[tuple[str, object]]:
    return [
        ("GET", client.get("/sparql", query_string={"query": query}, headers=JSON)),
        ("POST form", client.post("/sparql", data={"query": query}, headers=JSON)),
        ("POST direct", client.post("/sparql", data=query.encode("utf-8"), content_type="application/sparql-query", headers=JSON)),
        ("network bridge", client.post("/api/network/from-query", data={"query": query})),
    ]


def test_no_trick_makes_the_server_fetch_a_url(client: FlaskClient, listener: Listener) -> None:
    answers = []
    for name, query in _tricks(listener.url):
        for door, response in _doors(client, query):
            status = response.status_code  # type: ignore[attr-defined]
            answers.append((name, door, status, response.get_data(as_text=True)[:160]))  # type: ignore[attr-defined]
    time.sleep(0.3)
    assert listener.connections == [], f"the server connected to the listener: {listener.connections}"
    wrong = [a for a in answers if not 400 <= a[2] < 500]
    assert wrong == [], "every trick must get a 4xx"
    for name, door, _, text in answers:
        assert text.strip(), f"{name} via {door}: empty refusal"
    # The refusals say what is wrong, not only that something is.
    by_name = {(name, door): text for name, door, _, text in answers}
    assert "SERVICE" in by_name[("after a CR-ended comment", "GET")]
    assert "SERVICE" in by_name[("codepoint escape", "POST direct")]
    # The guard itself, not the sandbox behind it, refuses the escaped-CR comment trick.
    assert by_name[("after a comment ended by an escaped CR", "GET")].startswith("SERVICE")
    assert "never fetches other URLs" in by_name[("FROM prefixed", "POST form")]
    assert "never fetches other URLs" in by_name[("FROM relative to BASE", "GET")]
    assert "LOAD is an update operation" in by_name[("LOAD", "GET")]


def test_graph_parameters_naming_other_urls_are_refused(client: FlaskClient, listener: Listener) -> None:
    for param in ("default-graph-uri", "named-graph-uri"):
        get = client.get("/sparql", query_string={"query": LIGHT, param: listener.url + "g"}, headers=JSON)
        direct = client.post(f"/sparql?{param}={listener.url}g", data=LIGHT, content_type="application/sparql-query", headers=JSON)
        form = client.post("/sparql", data={"query": LIGHT, param: listener.url + "g"}, headers=JSON)
        for response in (get, direct, form):
            assert response.status_code == 400
            assert param in response.get_data(as_text=True)
    assert listener.connections == []


def test_query_workers_run_under_a_seccomp_filter(app: Flask) -> None:
    pids = resources(app).executor.pids()
    assert pids
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
        assert "\nSeccomp:\t2\n" in status, f"worker {pid} has no seccomp filter"


def test_query_workers_run_below_the_web_server_s_cpu_priority(app: Flask) -> None:
    """Pages and kept answers (the web process) never queue behind user SPARQL for a CPU."""
    from graph.sparql.executor import MAX_NICENESS, WORKER_NICENESS

    pids = resources(app).executor.pids()
    assert pids
    server = os.getpriority(os.PRIO_PROCESS, 0)
    for pid in pids:
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(MAX_NICENESS, server + WORKER_NICENESS), f"worker {pid}"


def _niceness_of_threads(pid: int) -> dict[int, int]:
    """Each thread of a process, by id: its niceness (Linux keeps one per thread; field 19 of its stat)."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            stat = (task / "stat").read_text(encoding="utf-8")
            found[int(task.name)] = int(stat.rsplit(")", 1)[1].split()[16])
    return found


def test_a_long_query_s_own_thread_runs_at_the_slow_lane_s_priority(built: Built, release_dir: Path) -> None:
    """A worker runs its query in a thread of its own (a deep stack), and Linux keeps a niceness per
    thread: lowering the priority of the worker's pid alone left the query's thread where it was."""
    from graph.sparql.executor import MAX_NICENESS, SLOW_NICENESS, ExecutorError, QueryExecutor, QueryRequest, QueryTimeout

    del built
    app = make_app(release_dir, query_workers=2, slow_query_after=0.3, query_timeout=4.0)
    try:
        pool = resources(app).executor
        assert isinstance(pool, QueryExecutor)
        heavy = QueryRequest("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "json", None, 10, "https://w3id.org/uaeu/")
        slow = min(MAX_NICENESS, os.getpriority(os.PRIO_PROCESS, 0) + SLOW_NICENESS)

        def run() -> None:
            with contextlib.suppress(ExecutorError, QueryTimeout):
                pool.execute(heavy, client="slow")

        runner = threading.Thread(target=run)
        runner.start()
        seen: dict[int, int] = {}
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline and not seen:
            time.sleep(0.1)
            for pid in pool.pids():
                threads = _niceness_of_threads(pid)
                if threads.get(pid) == slow and len(threads) > 1:
                    seen = threads
        runner.join()
        assert seen, "no worker was moved to the slow lane"
        assert set(seen.values()) == {slow}, f"the query's thread is not in the slow lane: {seen}"
    finally:
        close_app(app)


SANDBOXED_SERVICE = """
import sys, pyoxigraph as ox
if sys.argv[2] == "isolated":
    from graph.sparql.sandbox import isolate_network, network_is_blocked
    isolate_network()
    assert network_is_blocked()
store = ox.Store()
try:
    list(store.query("SELECT * WHERE { SERVICE <" + sys.argv[1] + "sparql> { ?a ?b ?c } }"))
    print("answered")
except PermissionError as err:
    print("refused:", err)
except OSError as err:
    print("failed:", err)
"""


def test_an_isolated_engine_cannot_connect_even_with_the_guard_bypassed(listener: Listener) -> None:
    """Defence in depth: the engine itself, given SERVICE with no guard in front, cannot reach the listener."""
    root = Path(__file__).resolve().parent.parent
    control = subprocess.run([sys.executable, "-c", SANDBOXED_SERVICE, listener.url, "open"], capture_output=True, text=True, cwd=root, timeout=60)
    time.sleep(0.2)
    assert len(listener.connections) >= 1, f"control: the engine should reach the listener without the sandbox ({control.stdout}{control.stderr})"
    before = len(listener.connections)
    isolated = subprocess.run([sys.executable, "-c", SANDBOXED_SERVICE, listener.url, "isolated"], capture_output=True, text=True, cwd=root, timeout=60)
    time.sleep(0.2)
    assert isolated.returncode == 0, isolated.stderr
    assert isolated.stdout.startswith("refused:"), isolated.stdout + isolated.stderr
    assert len(listener.connections) == before
    listener.connections.clear()


@pytest.mark.parametrize(
    "path",
    ["/dumps//uaeu.nt", "/doc/partnership//digital-transition", "//sparql", "/dumps", "/id//partnership/digital-transition", "/doc//partnership/x"],
)
def test_redirects_come_from_the_public_url_whatever_the_host(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Host": "evil.example:8080", "X-Forwarded-Host": "evil.example"})
    assert response.status_code in (301, 302, 303, 307, 308, 404)
    if response.status_code != 404:
        location = response.headers["Location"]
        assert location.startswith(PUBLIC), location
        assert "evil.example" not in location


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("parentheses", "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"),
        ("braces", "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000),
        ("brackets", "SELECT * WHERE { ?s ?p " + "[ ?p " * 5000 + "1" + " ]" * 5000 + " }"),
        ("escaped parentheses", "SELECT * WHERE { FILTER(" + "\\u0028" * 3000 + "1" + "\\u0029" * 3000 + ") }"),
        ("property paths", "SELECT * WHERE { ?s " + "(" * 5000 + "<p>" + ")" * 5000 + " ?o }"),
    ],
)
def test_deep_nesting_is_a_400_that_names_the_limit(client: FlaskClient, name: str, query: str) -> None:
    response = client.post("/sparql", data=query.encode("utf-8"), content_type="application/sparql-query", headers=JSON)
    assert response.status_code == 400, f"{name}: {response.status_code} {response.get_data(as_text=True)[:200]}"
    assert "UAEU_MAX_QUERY_DEPTH" in response.get_data(as_text=True)
    assert client.get("/sparql", query_string={"query": LIGHT}, headers=JSON).status_code == 200


def test_deep_but_legal_nesting_inside_an_iri_cannot_crash_a_worker(client: FlaskClient) -> None:
    """Brackets hidden where the shape check does not look still reach a worker with a deep stack, never a crash."""
    hidden = "SELECT * WHERE { ?s ?p ?o FILTER(?o <" + "(" * 8000 + "1" + ")" * 8000 + "> ?o) }"
    response = client.post("/sparql", data=hidden.encode("utf-8"), content_type="application/sparql-query", headers=JSON)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    assert client.get("/sparql", query_string={"query": LIGHT}, headers=JSON).status_code == 200


def test_nul_and_bad_escapes_are_400(client: FlaskClient) -> None:
    for query in ("SELECT * WHERE { ?s ?p ?o }\x00", "SELECT * WHERE { ?s ?p '\\uD800' }", "SELECT * WHERE { ?s ?p '\\U00110000' }"):
        response = client.post("/sparql", data=query.encode("utf-8"), content_type="application/sparql-query")
        assert response.status_code == 400, query


def test_protocol_two_query_parameters_are_400(client: FlaskClient) -> None:
    twice = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D", headers=JSON)
    assert twice.status_code == 400
    assert "2 times" in twice.get_data(as_text=True)
    form = client.post("/sparql", data="query=ASK%7B%7D&query=ASK%7B%7D", content_type="application/x-www-form-urlencoded", headers=JSON)
    assert form.status_code == 400
    mixed = client.post("/sparql?query=ASK%7B%7D", data={"query": "ASK {}"}, headers=JSON)
    assert mixed.status_code == 400
    direct = client.post("/sparql?query=ASK%7B%7D", data="ASK {}", content_type="application/sparql-query", headers=JSON)
    assert direct.status_code == 400


def test_protocol_query_not_utf8_is_400(client: FlaskClient) -> None:
    get = client.get("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D", headers=JSON)
    form = client.post("/sparql", data="query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D", content_type="application/x-www-form-urlencoded", headers=JSON)
    direct = client.post("/sparql", data=b'ASK { ?s ?p "\xff" }', content_type="application/sparql-query", headers=JSON)
    latin = client.post("/sparql", data=b"ASK {}", content_type="application/sparql-query; charset=iso-8859-1", headers=JSON)
    for response in (get, form, direct, latin):
        assert response.status_code == 400
        assert "UTF-8" in response.get_data(as_text=True)
    ok = client.get("/sparql", query_string={"query": 'ASK { ?s ?p "Дигитален преход" }'}, headers=JSON)
    assert ok.status_code == 200


def _post(client: FlaskClient, query: str, addr: str) -> tuple[int, float, dict[str, str], str]:
    started = time.monotonic()
    response = client.post("/sparql", data={"query": query}, headers=JSON, environ_base={"REMOTE_ADDR": addr})
    return response.status_code, time.monotonic() - started, dict(response.headers), response.get_data(as_text=True)


def test_one_client_cannot_hold_more_than_its_share(built: Built, release_dir: Path) -> None:
    app = _app(release_dir, query_workers=3, queries_per_client=1, query_timeout=3.0, slow_query_after=5.0)
    try:
        client = app.test_client()
        with ThreadPoolExecutor(2) as pool:
            runaway = pool.submit(_post, client, RUNAWAY, "10.9.0.1")
            time.sleep(0.5)
            second = _post(client, LIGHT, "10.9.0.1")
            other = _post(client, LIGHT, "10.9.0.2")
            runaway.result()
        assert second[0] == 429
        assert second[2]["Retry-After"]
        assert "UAEU_QUERIES_PER_CLIENT" in second[3]
        assert other[0] == 200
    finally:
        close_app(app)


def test_runaway_queries_do_not_delay_light_queries_or_pages(built: Built, release_dir: Path) -> None:
    """Four runaway queries from four clients, two workers kept for quick ones: light queries and pages stay fast."""
    app = _app(release_dir, query_workers=4, slow_query_slots=2, slow_query_after=1.0, query_timeout=10.0)
    try:
        client = app.test_client()
        client.get("/doc/partnership/digital-transition")  # warm the page's own queries
        with ThreadPoolExecutor(4) as pool:
            runaways = [pool.submit(_post, client, RUNAWAY, f"10.8.0.{i}") for i in range(4)]
            time.sleep(2.0)  # past slow_query_after: two runaways were stopped, two hold the slow slots
            light = [_post(client, LIGHT, "10.7.0.1") for _ in range(10)]
            pages = []
            for _ in range(5):
                started = time.monotonic()
                assert client.get("/doc/partnership/digital-transition").status_code == 200
                pages.append(time.monotonic() - started)
            # Not a stopwatch: the proof is the order. The two runaways in the slow slots run until the
            # 10 s time limit, and every light query and page was answered while they still ran.
            still_running = sum(not r.done() for r in runaways)
            results = [r.result() for r in runaways]
        statuses = sorted(r[0] for r in results)
        # Two runaways hold the two slots for long queries; the other two were stopped early.
        assert statuses.count(503) >= 2, statuses
        assert all(s[0] == 200 for s in light), [s[:2] for s in light]
        assert still_running >= 2, (still_running, [round(s[1], 3) for s in light], pages)
        stopped = [r for r in results if "UAEU_SLOW_QUERY_SLOTS" in r[3]]
        assert stopped and all(r[2].get("Retry-After") for r in stopped)
    finally:
        close_app(app)


def test_a_worker_killed_while_idle_is_never_handed_a_query(built: Built, release_dir: Path) -> None:
    app = _app(release_dir, query_workers=2)
    try:
        executor = resources(app).executor
        client = app.test_client()
        for pid in executor.pids():
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        for _ in range(4):
            response = client.get("/sparql", query_string={"query": LIGHT}, headers=JSON)
            assert response.status_code == 200, response.get_data(as_text=True)
        deadline = time.monotonic() + 30
        while len(executor.pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(executor.pids()) == 2
    finally:
        close_app(app)


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_stopping_the_server_mid_query_leaves_no_worker_running(built: Built, release_dir: Path, how: signal.Signals) -> None:
    env = {"UAEU_QUERY_TIMEOUT": "60", "UAEU_QUERY_WORKERS": "2"}
    with start_server(release_dir, env=env) as server:
        workers = _children(server.process.pid)  # the query workers (and nothing else the server started)
        assert len(workers) >= 2

        def runaway() -> None:
            data = urllib.parse.urlencode({"query": RUNAWAY}).encode()
            with contextlib.suppress(OSError):
                urllib.request.urlopen(urllib.request.Request(server.url + "/sparql", data=data), timeout=30).read()

        thread = threading.Thread(target=runaway, daemon=True)
        thread.start()
        time.sleep(1.0)
        server.process.send_signal(how)
        server.process.wait(timeout=20)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in workers if _alive(p)], "a query worker outlived the server"


def test_json_errors_from_the_network_bridge_are_4xx(client: FlaskClient) -> None:
    response = client.post("/api/network/from-query", data={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?a ?b ?c } }"})
    assert response.status_code == 400
    assert json.dumps(response.get_json() or response.get_data(as_text=True))


def test_an_escaped_backslash_in_a_local_name_does_not_hide_brackets_from_the_depth_limit(client: FlaskClient) -> None:
    query = "PREFIX ex: <http://x/> SELECT * WHERE { ?s ?p ex:a\\# . FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }"
    response = client.post("/sparql", data=query.encode("utf-8"), content_type="application/sparql-query", headers=JSON)
    assert response.status_code == 400
    assert "UAEU_MAX_QUERY_DEPTH" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/api/map?as-of=0000",
        "/api/network/organisations?as_of=9999-12",
        "/network.json?end=0000",
        "/network?start=0000-06",
        "/api/network/ego/sofia-municipality?to=9999-12",
    ],
)
def test_dates_outside_the_calendar_are_400_not_500(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]


def test_every_answer_says_nosniff(client: FlaskClient) -> None:
    for path in ("/sparql?query=ASK%7B%7D", "/", "/doc/partnership/digital-transition", "/api/network/partnerships"):
        assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"


def test_the_network_bridge_follows_the_protocol_too(client: FlaskClient) -> None:
    twice = client.get("/api/network/from-query?query=SELECT%20*%7B%7D&query=SELECT%20*%7B%7D")
    assert twice.status_code == 400
    not_utf8 = client.get("/api/network/from-query?query=SELECT%20%3Fsource%20%3Ftarget%20%7B%20BIND(%22%FF%22%20AS%20%3Fsource)%20%7D")
    assert not_utf8.status_code == 400
    direct = client.post(
        "/api/network/from-query",
        data="SELECT ?source ?target WHERE { VALUES (?source ?target) { (1 2) } }",
        content_type="application/sparql-query",
    )
    assert direct.status_code == 200, direct.get_data(as_text=True)


def test_networks_built_from_queries_are_capped(built: Built, release_dir: Path) -> None:
    app = _app(release_dir, query_network_max_nodes=50)
    try:
        client = app.test_client()
        big = "SELECT ?source ?target WHERE { VALUES ?i { " + " ".join(str(i) for i in range(60)) + " } BIND(STR(?i) AS ?source) BIND(STR(?i + 1) AS ?target) }"
        for response in (client.get("/api/network/from-query", query_string={"query": big}), client.get("/network.json", query_string={"query": big})):
            assert response.status_code == 400
            assert "UAEU_QUERY_NETWORK_MAX_NODES" in response.get_data(as_text=True)
        small = big.replace("range", "").replace(" ".join(str(i) for i in range(60)), "1 2 3")
        assert client.get("/api/network/from-query", query_string={"query": small}).status_code == 200
    finally:
        close_app(app)


def test_answers_larger_than_the_byte_cap_are_refused_with_the_setting(built: Built, release_dir: Path) -> None:
    app = _app(release_dir, max_result_bytes=20_000)
    try:
        client = app.test_client()
        query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 2000"
        response = client.get("/sparql", query_string={"query": query}, headers=JSON)
        assert response.status_code == 422
        assert "UAEU_MAX_RESULT_BYTES" in response.get_data(as_text=True)
        assert client.get("/sparql", query_string={"query": LIGHT}, headers=JSON).status_code == 200
    finally:
        close_app(app)


def test_one_client_holds_at_most_one_slot_for_long_queries(built: Built, release_dir: Path) -> None:
    app = _app(release_dir, query_workers=4, slow_query_slots=2, slow_query_after=0.3, query_timeout=4.0, queries_per_client=2)
    try:
        client = app.test_client()
        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(_post, client, RUNAWAY, "10.6.0.1")
            time.sleep(0.6)
            second = pool.submit(_post, client, RUNAWAY, "10.6.0.1")
            stopped = second.result()
            other = pool.submit(_post, client, RUNAWAY, "10.6.0.2")
            time.sleep(0.6)
            holders = resources(app).executor._slow_clients.copy()
            first.result()
            other.result()
        assert stopped[0] == 503
        assert "one per client" in stopped[3]
        assert stopped[1] < 2.0
        assert holders == {"10.6.0.1": 1, "10.6.0.2": 1}
    finally:
        close_app(app)


def test_a_client_that_spent_its_minute_of_worker_time_waits(built: Built, release_dir: Path) -> None:
    app = _app(release_dir, query_workers=2, query_timeout=1.0, client_seconds_per_minute=1.5)
    try:
        client = app.test_client()
        assert _post(client, RUNAWAY, "10.5.0.1")[0] == 503  # stopped at the time limit: 1 s spent
        assert _post(client, RUNAWAY, "10.5.0.1")[0] == 503  # 2 s spent
        status, _, headers, text = _post(client, LIGHT, "10.5.0.1")
        assert status == 429
        assert "UAEU_CLIENT_SECONDS_PER_MINUTE" in text
        assert 1 <= int(headers["Retry-After"]) <= 61
        assert _post(client, LIGHT, "10.5.0.2")[0] == 200  # everyone else is unaffected
    finally:
        close_app(app)


def test_a_query_sent_right_after_every_worker_was_killed_is_answered(built: Built, release_dir: Path) -> None:
    app = _app(release_dir, query_workers=2)
    try:
        client = app.test_client()
        for _ in range(3):
            for pid in resources(app).executor.pids():
                os.kill(pid, signal.SIGKILL)
            response = client.get("/sparql", query_string={"query": LIGHT}, headers=JSON)
            assert response.status_code == 200, response.get_data(as_text=True)
    finally:
        close_app(app)
