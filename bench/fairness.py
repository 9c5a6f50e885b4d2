"""Fairness under attack: light-query and page latency while runaway queries keep every slot busy.

Starts a real `uaeu serve` on 127.0.0.1 (the release in --build, built first if missing), then
measures, each phase bounded in time and count:

1. quiet: light SPARQL queries and a resource page, one after another;
2. attack: RUNAWAY_CLIENTS clients (each from its own loopback address, 127.0.0.10 and up) send a
   runaway cross join again and again, so RUNAWAY_CLIENTS runaway queries are in flight all the
   time; meanwhile a light-query client and a page client measure as in phase 1.

Reports medians and p99, the answers the runaway clients got (200, 429, 503 and why), and writes
bench/results/fairness.{json,md}. Never part of the tests; run with `make bench-fairness`.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LIGHT = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/uaeu/ontology#Partnership> }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
PAGE = "/doc/partnership/digital-transition"
RUNAWAY_CLIENTS = 4
KINDS = ("light_query", "new_light_query", "page", "new_page")


def _request(port: int, method: str, path: str, body: bytes | None, source: str, timeout: float) -> tuple[int, float, str]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        headers = {"Accept": "application/sparql-results+json" if path == "/sparql" else "text/html"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, time.perf_counter() - started, text
    finally:
        conn.close()


def _query(port: int, query: str, source: str, timeout: float = 30.0) -> tuple[int, float, str]:
    return _request(port, "POST", "/sparql", urllib.parse.urlencode({"query": query}).encode(), source, timeout)


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples) or [float("nan")]
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"n": len(ordered), "p50_ms": round(statistics.median(ordered) * 1000, 2), "p99_ms": round(p99 * 1000, 2), "max_ms": round(ordered[-1] * 1000, 2)}


_fresh = itertools.count()


def _measure(port: int, seconds: float, count: int) -> dict[str, dict[str, float]]:
    """Light queries and pages, one at a time, for `seconds` or `count` of each: each both repeated and new.

    A repeat is answered from what the server keeps (`X-Cache: hit`, a kept page); a new one (a text or
    a parameter never sent before) is computed now: the guard's parse, a worker and the engine for a
    query, the named queries and the template for a page.
    """
    samples: dict[str, list[float]] = {"light_query": [], "new_light_query": [], "page": [], "new_page": []}
    failures: Counter[int] = Counter()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and len(samples["light_query"]) < count:
        n = next(_fresh)
        for kind, (method, path, body, source) in {
            "light_query": ("POST", "/sparql", urllib.parse.urlencode({"query": LIGHT}).encode(), "127.0.0.20"),
            "new_light_query": ("POST", "/sparql", urllib.parse.urlencode({"query": f"{LIGHT} # {n}"}).encode(), "127.0.0.22"),
            "page": ("GET", PAGE, None, "127.0.0.21"),
            "new_page": ("GET", f"{PAGE}?n={n}", None, "127.0.0.23"),
        }.items():
            status, elapsed, _ = _request(port, method, path, body, source, 30.0)
            samples[kind].append(elapsed) if status == 200 else failures.update([status])
    return {**{kind: _summary(values) for kind, values in samples.items()}, "failures": dict(failures)}  # type: ignore[dict-item]


def run(build: Path, seconds: float, workers: int) -> dict[str, object]:
    port = free_port()
    env = {**os.environ, "UAEU_QUERY_WORKERS": str(workers), "UAEU_QUERY_TIMEOUT": "10"}
    env.pop("UAEU_PUBLIC_URL", None)
    uaeu = Path(sys.executable).with_name("uaeu")
    with tempfile.TemporaryFile() as log:
        return _run_with_log(build, seconds, workers, port, env, uaeu, log)


def _run_with_log(build: Path, seconds: float, workers: int, port: int, env: dict[str, str], uaeu: Path, log: Any) -> dict[str, object]:
    server = subprocess.Popen([str(uaeu), "serve", "--port", str(port), "--build", str(build)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if _request(port, "GET", "/healthz", None, "127.0.0.1", 2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                log.seek(0)
                raise RuntimeError("uaeu serve did not start:\n" + log.read().decode(errors="replace"))
            time.sleep(0.2)
        for _ in range(20):  # warm the page's queries and the workers' parse caches
            _query(port, LIGHT, "127.0.0.20")
            _request(port, "GET", PAGE, None, "127.0.0.21", 30)
        quiet = _measure(port, seconds, 400)

        stop = threading.Event()
        outcomes: Counter[str] = Counter()
        lock = threading.Lock()

        def attacker(i: int) -> None:
            while not stop.is_set():
                try:
                    status, _, text = _query(port, RUNAWAY, f"127.0.0.{10 + i}", timeout=20)
                except OSError as err:
                    status, text = 0, str(err)
                reason = "slots full" if "UAEU_SLOW_QUERY_SLOTS" in text else ("time limit" if "ran longer" in text else "")
                with lock:
                    outcomes[f"{status} {reason}".strip()] += 1
                if status in (429, 503):
                    time.sleep(0.05)

        threads = [threading.Thread(target=attacker, args=(i,), daemon=True) for i in range(RUNAWAY_CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(2.0)  # every attacker has a runaway in flight
        attacked = _measure(port, seconds, 400)
        stop.set()
        for thread in threads:
            thread.join(25)
        return {
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "workers": workers,
            "runaway_clients": RUNAWAY_CLIENTS,
            "window_s": seconds,
            "quiet": quiet,
            "under_attack": attacked,
            "runaway_answers": dict(outcomes),
        }
    finally:
        server.terminate()
        server.wait(20)


def markdown(result: dict[str, object]) -> str:
    quiet, attacked = result["quiet"], result["under_attack"]
    lines = [
        "# Fairness: latency with runaway queries in flight",
        "",
        f"`uaeu serve` with {result['workers']} query workers (default slots for slow queries: workers - 2), time limit 10 s; "
        f"{result['runaway_clients']} clients each keep a runaway cross join in flight; windows of {result['window_s']:g} s. "
        "Requests one at a time from their own loopback addresses. Produced by `make bench-fairness`; "
        f"the machine's load average at the end (1, 5, 15 min): {result.get('load_average_at_end')} on {os.cpu_count()} cores.",
        "",
        "Repeated = the same text or page each time (answered from what the server keeps); new = a text or parameter never "
        "sent before (computed now: the guard's parse, a worker and the engine; the page's queries and template).",
        "",
        "| phase | light query p50 | p99 | new light query p50 | p99 | page p50 | p99 | new page p50 | p99 | failed requests |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, phase in (("quiet", quiet), (f"{result['runaway_clients']} runaway queries in flight", attacked)):
        cells = []
        for kind in KINDS:
            got = phase.get(kind) or {}  # type: ignore[attr-defined]
            cells += [f"{got.get('p50_ms', '–')} ms", f"{got.get('p99_ms', '–')} ms"]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {phase['failures'] or 0} |")  # type: ignore[index]
    lines += ["", "What the runaway clients were told: " + ", ".join(f"{k}: {v}" for k, v in sorted(result["runaway_answers"].items())) + "."]  # type: ignore[union-attr]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=str(ROOT / "build"), help="build folder to serve (built first if missing)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each measuring window")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    build = Path(args.build)
    from graph.release import Release

    if not Release.exists(build):
        subprocess.run([str(Path(sys.executable).with_name("uaeu")), "build", "--build", str(build)], check=True, cwd=ROOT)
    result = run(build, args.seconds, args.workers)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "fairness.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "fairness.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
