"""Where one `/sparql` request's time goes, measured inside one process (no sockets, no wrk).

Why: the HTTP tables say how fast each server is; this says which part of ours costs what, so a
change to the request path can be judged on its own. Each figure is the median of `repeat` rounds
of `n` calls (microseconds per call), with the min-max spread, measured in this order:

- `/healthz` and `POST /sparql` (a light query, SPARQL JSON) through Flask's test client;
  wall time and the calling thread's CPU time (the server's own work, steadier on a shared machine);
- the parts of the request path: Accept negotiation, form parsing, the server's shape checks,
  the executor's round trip to a worker (pipe, worker, engine, writer);
- inside a worker: the guard's rdflib parse of a new query text (done once per text, LRU 256),
  the engine's answer, and writing it (our Python writers and pyoxigraph's native ones).

Run: `python -m bench.inprocess --build build` (prints JSON; `bench.run` puts it in bench.md).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.queries import bench_queries

FORM = "application/x-www-form-urlencoded"
ACCEPT_JSON = "application/sparql-results+json"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


PARSE_SNIPPET = """
import json, statistics, sys, time
import pyparsing
if sys.argv[1] == "packrat":
    pyparsing.ParserElement.enable_packrat()
from bench.queries import bench_queries
from graph.sparql.guard import canonical, check_query
texts = [canonical(q.text) for q in bench_queries()]
check_query(texts[0], (), "https://w3id.org/uaeu/")
best = []
for text in texts:
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        check_query(text, (), "https://w3id.org/uaeu/")
        runs.append(time.perf_counter() - started)
    best.append(min(runs) * 1e6)
print(json.dumps({"median_us": round(statistics.median(best), 1), "min_us": round(min(best), 1), "max_us": round(max(best), 1)}))
"""


def guard_parse(mode: str) -> dict[str, float]:
    """The guard's parse of every bench query (fastest of 3 each) in a fresh interpreter, pyparsing as shipped or with packrat memoisation."""
    out = subprocess.run([sys.executable, "-c", PARSE_SNIPPET, mode], capture_output=True, text=True, check=True, timeout=600)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def per_call(fn: Callable[[], object], n: int, repeat: int) -> dict[str, float]:
    """Median and min-max of `repeat` rounds, in microseconds per call, of wall time and of this thread's CPU time.

    The CPU time is the work this thread did (a worker's share of a query is not in it): on a machine
    shared with other work it moves far less than the wall time, so it is the figure to compare runs by.
    """
    rounds = []
    cpu = []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.thread_time()
        for _ in range(n):
            fn()
        rounds.append((time.perf_counter() - started) / n * 1e6)
        cpu.append((time.thread_time() - cpu_started) / n * 1e6)
    return {
        "median_us": round(statistics.median(rounds), 1),
        "min_us": round(min(rounds), 1),
        "max_us": round(max(rounds), 1),
        "cpu_median_us": round(statistics.median(cpu), 1),
        "cpu_min_us": round(min(cpu), 1),
    }


def measure(build: Path, n: int = 300, repeat: int = 5) -> dict[str, Any]:
    from urllib.parse import urlencode

    from graph.sparql.executor import QueryRequest, _checked
    from graph.sparql.guard import Limits, canonical, check_query, check_shape
    from graph.store.embedded import load_store
    from tests.helpers import running_app
    from webapp.resources import resources

    view = importlib.import_module("webapp.views.sparql")

    light = next(q for q in bench_queries() if q.light)
    body = urlencode({"query": light.text}).encode()
    out: dict[str, Any] = {"query": light.name, "n": n, "repeat": repeat}
    with running_app(build) as app:
        client = app.test_client()
        pool = resources(app).executor
        for _ in range(20):  # warm: the worker's parse cache, Flask's first-request work
            assert client.post("/sparql", data=body, content_type=FORM, headers={"Accept": ACCEPT_JSON}).status_code == 200
        out["healthz"] = per_call(lambda: client.get("/healthz"), n, repeat)
        out["post_sparql"] = per_call(lambda: client.post("/sparql", data=body, content_type=FORM, headers={"Accept": ACCEPT_JSON}), n, repeat)
        out["post_sparql_browser_accept"] = per_call(
            lambda: client.post("/sparql", data=body, content_type=FORM, headers={"Accept": BROWSER_ACCEPT}), n, repeat
        )
        with app.test_request_context("/sparql", method="POST", data=body, content_type=FORM, headers={"Accept": BROWSER_ACCEPT}):
            takes_format = bool(inspect.signature(view._negotiate).parameters)  # main's takes none: the A/B run measures both
            out["negotiate"] = per_call(lambda: view._negotiate(None) if takes_format else view._negotiate(), n * 10, repeat)
        with app.test_request_context("/sparql", method="POST", data=body, content_type=FORM, headers={"Accept": ACCEPT_JSON}):
            out["form_parse"] = per_call(lambda: view._strict_params(body, "request body"), n * 10, repeat)
            limits = Limits()
            out["shape_checks"] = per_call(lambda: (check_shape(light.text, limits), check_shape(canonical(light.text), limits)), n * 10, repeat)
        job = QueryRequest(query=light.text, results_format="json", graph_format="turtle", row_cap=10_000, base_iri="https://w3id.org/uaeu/", prefixes={})
        out["executor_round_trip"] = per_call(lambda: pool.execute(job), n, repeat)

    store = load_store(build / "dumps")
    text = canonical(light.text)
    known = tuple(sorted(g.value for g in store.named_graphs()))
    out["guard_parse_new_text"] = per_call(lambda: check_query(text, known, "https://w3id.org/uaeu/"), max(5, n // 10), repeat)
    out["guard_cached"] = per_call(lambda: _checked(text, known, "https://w3id.org/uaeu/", 64 * 1024, 64), n * 10, repeat)
    out["engine_iterate"] = per_call(lambda: list(store.query(text, base_iri="https://w3id.org/uaeu/")), n, repeat)
    out["engine_native_json"] = per_call(lambda: store.query(text, base_iri="https://w3id.org/uaeu/").serialize(format=ox.QueryResultsFormat.JSON), n, repeat)
    from graph.sparql.executor import outcome_of

    out["engine_and_our_writer_json"] = per_call(lambda: outcome_of(store.query(text, base_iri="https://w3id.org/uaeu/"), job, 0.0), n, repeat)
    big = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5000"
    out["5000_rows_native_json"] = per_call(lambda: store.query(big).serialize(format=ox.QueryResultsFormat.JSON), 5, repeat)
    out["guard_parse_all_plain"] = guard_parse("plain")
    out["guard_parse_all_packrat"] = guard_parse("packrat")
    out["5000_rows_our_writer_json"] = per_call(lambda: outcome_of(store.query(big), job, 0.0), 5, repeat)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(json.dumps(measure(Path(args.build), args.n, args.repeat), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
