"""Kept answers (graph.sparql.answers): a repeat of the same request is answered from memory, never a different one.

The risks are a wrong answer (another format, row cap, dataset or release served for a request
that only looks alike; a query whose answer changes on every run served stale) and a way around
the fairness rules (a repeat must pass admission and be charged); the cache must also stay
within its bytes. Each is checked on real answers from real workers.
"""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask

from graph.sparql.answers import ENTRY_OVERHEAD, AnswerCache, held_bytes, request_key
from graph.sparql.executor import PoolLimits, QueryExecutor, QueryOutcome, QueryRequest, TooManyForClient, _checked
from graph.sparql.guard import parse, volatile
from tests.helpers import running_app
from webapp.resources import resources

SPARQL_JSON = {"Accept": "application/sparql-results+json"}
PARTNERSHIPS = "SELECT ?p WHERE { ?p a <https://w3id.org/uaeu/ontology#Partnership> } ORDER BY ?p"
BASE = "https://w3id.org/uaeu/"


def _job(query: str = "ASK {}", **changes: object) -> QueryRequest:
    job = QueryRequest(query=query, results_format="json", graph_format=None, row_cap=10, base_iri=BASE)
    return replace(job, **changes)  # type: ignore[arg-type]


def _ok(body: bytes, reusable: bool = True) -> QueryOutcome:
    return QueryOutcome("ok", "select", "json", body, False, 1, seconds=0.01, reusable=reusable)


# ---------------------------------------------------------------- what the guard calls volatile


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (NOW() AS ?t) {}",
        "SELECT ?x { BIND(RAND() AS ?x) }",
        "SELECT ?x { ?s ?p ?o FILTER(STR(UUID()) != '') } LIMIT 1",
        "SELECT ?x { { SELECT (STRUUID() AS ?x) {} } }",
        "CONSTRUCT { ?b a ?c } WHERE { BIND(BNODE() AS ?b) BIND(<urn:c> AS ?c) }",
        "SELECT (BNODE('a') AS ?b) {}",
        "select (now() as ?t) {}",
        "ASK { FILTER(EXISTS { BIND(rand() AS ?r) }) }",
    ],
)
def test_functions_whose_value_changes_make_the_answer_volatile(query: str) -> None:
    assert volatile(parse(query))
    verdict, _, _, reusable = _checked(query, (), BASE, 64 * 1024, 64)
    assert verdict == "" and not reusable


def test_an_escaped_function_name_is_found_too() -> None:
    """`\\u004E` is N: the guard reads the canonical text, as the engine does, so an escape hides nothing."""
    verdict, _, text, reusable = _checked("SELECT (\\u004EOW() AS ?t) {}", (), BASE, 64 * 1024, 64)
    assert verdict == "" and "NOW()" in text and not reusable


@pytest.mark.parametrize(
    "query",
    [
        PARTNERSHIPS,
        'SELECT ?x { BIND("NOW()" AS ?x) }',  # a string that looks like a call
        "SELECT ?x { ?x <urn:rand> ?y } # RAND() in a comment",
        "SELECT (COUNT(*) AS ?n) (SAMPLE(?s) AS ?one) { ?s ?p ?o }",
    ],
)
def test_other_queries_are_reusable(query: str) -> None:
    assert not volatile(parse(query))
    assert _checked(query, (), BASE, 64 * 1024, 64)[3]


# ---------------------------------------------------------------- the cache itself


def test_only_complete_successful_deterministic_answers_are_kept() -> None:
    cache = AnswerCache(1 << 20)
    assert cache.put(_job("ASK {}"), _ok(b"{}"))
    assert not cache.put(_job("ASK {1}"), _ok(b"{}", reusable=False))
    for status in ("refused", "syntax", "not-acceptable", "error", "checked"):
        assert not cache.put(_job(f"# {status}\nASK {{}}"), replace(_ok(b"{}"), status=status))
    assert cache.stats().entries == 1


def test_every_part_of_the_request_is_in_the_key() -> None:
    """Two requests differing in anything the answer depends on are different entries."""
    job = _job(PARTNERSHIPS)
    variants = [
        replace(job, query=PARTNERSHIPS + " "),
        replace(job, results_format="csv"),
        replace(job, results_format=None, graph_format="turtle"),
        replace(job, row_cap=11),
        replace(job, base_iri="https://example.org/"),
        replace(job, prefixes={"ex": "https://example.org/"}),
        replace(job, default_graphs=("urn:g",)),
        replace(job, named_graphs=("urn:g",)),
        replace(job, known_graphs=("urn:g",)),
        replace(job, dumps="/releases/one/dumps"),
        replace(job, links=("https://example.org/releases/one/",)),
    ]
    keys = {request_key(v) for v in [job, *variants]}
    assert len(keys) == len(variants) + 1
    cache = AnswerCache(1 << 20)
    cache.put(job, _ok(b"original"))
    assert all(cache.get(v) is None for v in variants)
    found = cache.get(job)
    assert found is not None and found.body == b"original"


def test_the_cache_stays_within_its_bytes_dropping_the_least_recently_used() -> None:
    budget = 16 * (1024 + ENTRY_OVERHEAD + held_bytes(request_key(_job("ASK { <urn:00> ?p ?o }"))))
    cache = AnswerCache(budget)
    assert not cache.put(_job("ASK {}"), _ok(b"x" * cache.max_entry_bytes)), "one answer may take at most a sixteenth"
    jobs = [_job(f"ASK {{ <urn:{i}> ?p ?o }}") for i in range(40)]
    for i, job in enumerate(jobs):
        assert cache.put(job, _ok(b"y" * 1024))
        cache.get(jobs[0])  # the first one stays in use
        assert cache.stats().bytes <= budget, f"over budget after {i + 1} answers"
    assert cache.get(jobs[0]) is not None, "an answer in use is not the one dropped"
    assert cache.get(jobs[1]) is None, "the least recently used went first"
    assert cache.get(jobs[-1]) is not None
    assert 1 < cache.stats().entries < 40


def test_a_cache_of_zero_bytes_keeps_nothing() -> None:
    cache = AnswerCache(0)
    assert not cache.put(_job(), _ok(b"{}"))
    assert cache.get(_job()) is None


# ---------------------------------------------------------------- through the endpoint, real workers


APP_SETTINGS = {"public_url": "http://127.0.0.1:5000/", "query_workers": 2}


def test_a_repeat_is_answered_from_memory_with_the_same_bytes(app: Flask) -> None:
    client = app.test_client()
    query = PARTNERSHIPS + " # repeat-test"
    first = client.get("/sparql", query_string={"query": query}, headers=SPARQL_JSON)
    second = client.post("/sparql", data={"query": query}, headers=SPARQL_JSON)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert first.data == second.data and len(json.loads(second.data)["results"]["bindings"]) >= 10
    for name in ("X-Row-Count", "X-Truncated", "X-Query-Seconds", "X-Release"):
        assert first.headers[name] == second.headers[name]
    assert "X-Cache" in second.headers["Access-Control-Expose-Headers"]

    as_csv = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert as_csv.headers["X-Cache"] == "miss" and as_csv.mimetype == "text/csv", "another format is another answer"
    cut = client.get("/sparql", query_string={"query": query.replace("ORDER BY ?p", "ORDER BY ?p LIMIT 2")}, headers=SPARQL_JSON)
    assert cut.headers["X-Cache"] == "miss" and len(json.loads(cut.data)["results"]["bindings"]) == 2


def test_a_repeat_needs_no_worker(app: Flask) -> None:
    """Workers killed from outside: a kept answer still comes (and a new text still gets a fresh worker)."""
    client = app.test_client()
    query = PARTNERSHIPS + " # no-worker-test"
    assert client.get("/sparql", query_string={"query": query}, headers=SPARQL_JSON).headers["X-Cache"] == "miss"
    pool = resources(app).executor
    assert isinstance(pool, QueryExecutor)
    for pid in pool.pids():
        os.kill(pid, signal.SIGKILL)
    again = client.get("/sparql", query_string={"query": query}, headers=SPARQL_JSON)
    assert again.status_code == 200 and again.headers["X-Cache"] == "hit"
    fresh = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}, headers=SPARQL_JSON)
    assert fresh.status_code == 200 and fresh.headers["X-Cache"] == "miss"


def test_volatile_queries_and_refusals_are_computed_every_time(app: Flask) -> None:
    client = app.test_client()
    now = "SELECT (STRUUID() AS ?u) (NOW() AS ?t) {}"
    answers = [client.get("/sparql", query_string={"query": now}, headers=SPARQL_JSON) for _ in range(2)]
    assert [a.headers["X-Cache"] for a in answers] == ["miss", "miss"]
    values = [json.loads(a.data)["results"]["bindings"][0]["u"]["value"] for a in answers]
    assert values[0] != values[1], "a new UUID on every run, never a kept one"
    for _ in range(2):
        refused = client.get("/sparql", query_string={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, headers=SPARQL_JSON)
        assert refused.status_code == 400 and "SERVICE" in refused.get_data(as_text=True)
        assert "X-Cache" not in refused.headers


def test_a_repeat_still_passes_the_fairness_rules(built: object, release_dir: Path) -> None:
    """Admission comes first: a client past its minute of worker time gets 429 for a repeat too."""
    del built
    with running_app(release_dir, public_url="http://127.0.0.1:5000/", client_seconds_per_minute=1e-9) as app:
        client = app.test_client()
        first = client.get("/sparql", query_string={"query": PARTNERSHIPS}, headers=SPARQL_JSON)
        assert first.status_code == 200
        again = client.get("/sparql", query_string={"query": PARTNERSHIPS}, headers=SPARQL_JSON)
        assert again.status_code == 429 and "UAEU_CLIENT_SECONDS_PER_MINUTE" in again.get_data(as_text=True)
        other = client.get("/sparql", query_string={"query": PARTNERSHIPS}, headers=SPARQL_JSON, environ_base={"REMOTE_ADDR": "10.0.0.2"})
        assert other.status_code == 200 and other.headers["X-Cache"] == "hit", "another client gets the kept answer"


def test_the_pool_charges_a_kept_heavy_answer_and_honours_a_cooldown() -> None:
    """A quick kept answer takes no worker time and is not charged; one that ran past `slow_after` is charged again."""
    pool = QueryExecutor(None, limits=PoolLimits(workers=1, spares=0, slow_after=1.0, answer_cache_bytes=1 << 20))
    try:
        job, heavy = _job("ASK { <urn:kept> ?p ?o }"), _job("ASK { <urn:heavy> ?p ?o }")
        pool.answers.put(job, replace(_ok(b"{}"), seconds=0.25))
        pool.answers.put(heavy, replace(_ok(b"{}"), seconds=2.5))
        kept = pool.execute(job, client="a")
        assert kept.cached and kept.body == b"{}"
        assert pool._spent_in_last_minute("a", time.monotonic()) == 0.0
        assert pool.execute(heavy, client="a").cached
        assert abs(pool._spent_in_last_minute("a", time.monotonic()) - 2.5) < 1e-9
        pool._cooldown["a"] = time.monotonic() + 30
        with pytest.raises(TooManyForClient, match="UAEU_COOLDOWN_AFTER_STOP"):
            pool.execute(job, client="a")
        assert pool._clients["a"] == 0 and pool._waiting == 0, "a refused or kept answer leaves no bookkeeping behind"
    finally:
        pool.close()


def test_setting_zero_turns_it_off(built: object, release_dir: Path) -> None:
    del built
    with running_app(release_dir, public_url="http://127.0.0.1:5000/", answer_cache_bytes=0) as app:
        client = app.test_client()
        answers = [client.get("/sparql", query_string={"query": PARTNERSHIPS}, headers=SPARQL_JSON) for _ in range(2)]
        assert [a.headers["X-Cache"] for a in answers] == ["miss", "miss"] and answers[0].data == answers[1].data


# ---------------------------------------------------------------- review: what a kept answer really holds


def test_an_entry_is_charged_for_every_string_its_key_holds(app: Flask) -> None:
    """The graph parameters are part of the key: a cheap query sent with a body full of repeated
    `default-graph-uri` (each a known graph, so admitted) must cost its real size, or a budget of
    64 MiB holds many times that in keys charged at a few hundred bytes each."""
    pool = resources(app).executor
    assert isinstance(pool, QueryExecutor)
    graph = pool.graphs[0]
    repeats = 120_000 // len(graph)
    client = app.test_client()
    before = pool.answers.stats()
    form = urlencode([("query", "ASK { } # many graphs"), *[("default-graph-uri", graph)] * repeats])
    answer = client.post("/sparql", data=form, content_type="application/x-www-form-urlencoded", headers=SPARQL_JSON)
    assert answer.status_code == 200 and answer.headers["X-Cache"] == "miss"
    after = pool.answers.stats()
    assert after.entries == before.entries + 1
    assert after.bytes - before.bytes >= repeats * len(graph), "the key's graph names are not counted"


def test_the_real_memory_of_kept_answers_stays_near_the_budget() -> None:
    """Measured, not computed: many entries whose keys carry long prefixes and graph lists (allocations
    made here and in the cache only: the module's app has threads of its own)."""
    import gc
    import tracemalloc

    from graph import bounded
    from graph.sparql import answers

    budget = 1 << 20
    cache = AnswerCache(budget)
    gc.collect()
    tracemalloc.start()
    try:
        for i in range(400):
            graphs = tuple(f"https://w3id.org/uaeu/graph/{i}/{n:05d}" for n in range(200))
            prefixes = {f"p{n}": f"https://w3id.org/uaeu/{i}/ns{n}#" for n in range(20)}
            cache.put(_job(f"ASK {{}} # {i}", default_graphs=graphs, prefixes=prefixes), _ok(b"{}"))
        del graphs, prefixes
        gc.collect()
        ours = [tracemalloc.Filter(True, name) for name in (__file__, answers.__file__, bounded.__file__)]
        held = sum(stat.size for stat in tracemalloc.take_snapshot().filter_traces(ours).statistics("filename"))
    finally:
        tracemalloc.stop()
    assert cache.stats().bytes <= budget
    assert held <= budget * 1.25, f"{held >> 10} KiB held for a budget of {budget >> 10} KiB"


def test_identical_requests_at_once_get_one_answer_and_leave_no_bookkeeping(app: Flask) -> None:
    """Two clients, the same two texts, many at once (misses computed side by side, hits among them):
    every answer is the same bytes per text, and the queue and in-flight counts come back to nothing."""
    from concurrent.futures import ThreadPoolExecutor

    pool = resources(app).executor
    assert isinstance(pool, QueryExecutor)

    def ask(i: int) -> tuple[int, int, str, bytes]:
        client = app.test_client()
        answer = client.get(
            "/sparql", query_string={"query": PARTNERSHIPS + f" # at-once {i % 2}"}, headers=SPARQL_JSON, environ_base={"REMOTE_ADDR": f"10.1.0.{i % 2}"}
        )
        return i % 2, answer.status_code, answer.headers.get("X-Cache", ""), answer.data

    with ThreadPoolExecutor(6) as runner:
        answers = list(runner.map(ask, range(12)))
    ok = [a for a in answers if a[1] == 200]
    assert all(a[1] in (200, 429) for a in answers), {a[1] for a in answers}
    assert ok and {a[2] for a in ok} <= {"hit", "miss"}
    for text in (0, 1):
        assert len({a[3] for a in ok if a[0] == text}) <= 1, "two answers to one request"
    assert pool._waiting == 0 and not pool._clients
