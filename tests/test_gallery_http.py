"""The gallery's questions answered over real HTTP by `uaeu serve`, as a researcher's client would ask them.

Each gallery query is POSTed as a form with Accept: application/sparql-results+json and its answer
goes through the same checks as the in-process run in test_example_queries.py. The median latency
of each query is measured and reported (never asserted: timing is not pass/fail).
"""

from __future__ import annotations

import json
import os
import statistics
import time
import urllib.parse
import urllib.request
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.queries import example_queries, gallery
from tests.test_example_queries import CHECKS, Rows, Runner

JSON_RESULTS = "application/sparql-results+json"
LATENCY_RUNS = int(os.environ.get("UAEU_LATENCY_RUNS", "20"))


def post_query(base_url: str, query: str) -> tuple[dict, dict[str, str]]:
    """POST a form query; the parsed JSON results and the response headers."""
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(
        base_url + "/sparql",
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": JSON_RESULTS},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        headers = {k.lower(): v for k, v in response.headers.items()}
        return json.loads(response.read()), headers


def gallery_text(name: str, **bindings: ox.NamedNode | ox.Literal) -> str:
    """The gallery's own text for the default bindings; with others, the same query re-bound the same way."""
    if not bindings:
        return next(item["query"] for item in gallery() if item["name"] == name)
    query = next(q for q in example_queries() if q.name == name)
    return replace(query, defaults={**query.defaults, **bindings}).standalone()


def http_runner(base_url: str) -> Runner:
    """A runner that asks `uaeu serve` over HTTP."""

    def run(name: str, **bindings: ox.NamedNode | ox.Literal) -> Rows:
        results, headers = post_query(base_url, gallery_text(name, **bindings))
        assert headers["content-type"].startswith(JSON_RESULTS)
        assert headers["x-truncated"] == "false"
        names = results["head"]["vars"]
        rows = [{n: b[n]["value"] for n in names if n in b} for b in results["results"]["bindings"]]
        assert headers["x-row-count"] == str(len(rows))
        return rows

    return run


def test_the_gallery_is_the_example_queries() -> None:
    assert [item["name"] for item in gallery()] == sorted(CHECKS)
    assert all(item["question"] and item["title"] for item in gallery())


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_gallery_query_over_http(name: str, live_server: str) -> None:
    CHECKS[name](http_runner(live_server))


def test_gallery_latency_over_http(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Median wall-clock time of each gallery query, request to parsed answer, over LATENCY_RUNS runs."""
    lines = [
        f"Gallery queries over HTTP (POST form, Accept {JSON_RESULTS}), uaeu serve on 127.0.0.1, {LATENCY_RUNS} runs each after one warm-up:",
        "",
        "| query | rows | median ms | min ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for item in gallery():
        results, _ = post_query(live_server, item["query"])
        rows = len(results["results"]["bindings"])
        assert rows > 0, item["name"]
        seconds = []
        for _ in range(LATENCY_RUNS):
            start = time.perf_counter()
            again, _ = post_query(live_server, item["query"])
            seconds.append(time.perf_counter() - start)
            assert len(again["results"]["bindings"]) == rows
        ms = [s * 1000 for s in seconds]
        lines.append(f"| {item['name']} | {rows} | {statistics.median(ms):.1f} | {min(ms):.1f} | {max(ms):.1f} |")
    report = "\n".join(lines) + "\n"
    out: Path = tmp_path_factory.mktemp("latency") / "gallery-latency.md"
    out.write_text(report, encoding="utf-8")
    print(f"\n{report}(written to {out})")
