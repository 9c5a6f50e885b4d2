"""Answering from an archived release: cold (not loaded yet) against warm (loaded), medians.

Builds four releases of the real curated data into a temporary build folder (one label changed
between builds), serves the newest with a real `uaeu serve` (one query worker, no spare,
UAEU_RELEASE_CACHE=1), then times, over HTTP on 127.0.0.1:

- **cold**: a query (and a page) on release 1, 2 or 3 in turn: with room for one loaded release,
  each request finds its release unloaded, in the server and in the worker, and loads it;
- **warm**: the same request on one archived release again and again (loaded once before);
- **latest**: the same request on the served release, for reference.

Writes bench/results/archive.{json,md}. Never part of the tests; run with `make bench-archive`
(about two minutes).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import json
import os
import shutil
import statistics
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from graph.builder.pipeline import build
from graph.config import PROJECT_ROOT, Settings
from graph.release import Release, remove_tree
from tests.servers import start_server

RESULTS = PROJECT_ROOT / "bench" / "results"
QUERY = "SELECT ?p (COUNT(?m) AS ?n) WHERE { ?m <http://www.w3.org/ns/org#organization> ?p } GROUP BY ?p ORDER BY DESC(?n)"
PAGE = "/doc/partnership/digital-transition"


def _relabel(data: Path, value: str) -> None:
    table = data / "organisations.csv"
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["name_en"] = value
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _get(url: str, accept: str) -> float:
    """Seconds for one GET on a fresh connection (no client-side cache)."""
    parts = urllib.parse.urlsplit(url)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Accept": accept, "Accept-Encoding": "identity"})
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (url, response.status)
    finally:
        connection.close()
    return time.perf_counter() - started


def _urls(base: str, folder: str) -> dict[str, tuple[str, str]]:
    query = urllib.parse.urlencode({"query": QUERY})
    return {
        "SPARQL query": (f"{base}/releases/{folder}/sparql?{query}", "application/sparql-results+json"),
        "resource page": (f"{base}/releases/{folder}{PAGE}", "text/html"),
    }


def measure(rounds: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="uaeu-bench-archive-"))
    try:
        data, out = work / "data", work / "build"
        shutil.copytree(PROJECT_ROOT / "data", data)
        releases: list[Release] = []
        for number in range(4):
            if number:
                _relabel(data, f"Relabelled for release {number + 1}")
            built = build(Settings(build_dir=out, data_dir=data))
            assert built.release is not None
            releases.append(built.release)
        archived = [r.folder.name for r in releases[:3]]
        env = {"UAEU_RELEASE_CACHE": "1", "UAEU_QUERY_WORKERS": "1", "UAEU_SPARE_WORKERS": "0", "UAEU_QUERY_TIMEOUT": "60"}
        figures: dict[str, dict[str, list[float]]] = {}
        with start_server(out, env=env) as server:
            for what in ("SPARQL query", "resource page"):
                times: dict[str, list[float]] = {"cold": [], "warm": [], "latest": []}
                for number in range(rounds):  # each request names another release than the one loaded
                    url, accept = _urls(server.url, archived[number % 3])[what]
                    times["cold"].append(_get(url, accept))
                url, accept = _urls(server.url, archived[0])[what]
                _get(url, accept)
                for _ in range(rounds):
                    times["warm"].append(_get(url, accept))
                latest = url.replace(f"/releases/{archived[0]}", "")
                for _ in range(rounds):
                    times["latest"].append(_get(latest, accept))
                figures[what] = times
        return {
            "when": dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds"),
            "rounds": rounds,
            "triples": releases[0].report["counts"]["triples"],
            "cores": os.cpu_count(),
            "load": list(os.getloadavg()),
            "query": QUERY,
            "page": PAGE,
            "seconds": figures,
        }
    finally:
        remove_tree(work)


def table(result: dict[str, Any]) -> str:
    lines = [
        "# Answering from an archived release: cold against warm",
        "",
        f"Real data ({result['triples']:,} triples per release), four releases, `uaeu serve` with one query worker and "
        f"`UAEU_RELEASE_CACHE=1`, over HTTP on 127.0.0.1; {result['rounds']} requests each, medians (min-max). Cold: each request "
        "names a release that is not loaded (a query: the server loads its store for its graph names and the query worker loads it too; "
        "a page: the server loads its store, label index and VoID counts); "
        "warm: the same release again; latest: the served release, no `release`. Produced by `make bench-archive` on "
        f"{result['when']}, {result['cores']} cores, load average {', '.join(f'{x:.2f}' for x in result['load'])}.",
        "",
        "| request | cold | warm | latest | cold / warm |",
        "|---|---|---|---|---|",
    ]
    for what, times in result["seconds"].items():
        cells = []
        for kind in ("cold", "warm", "latest"):
            values = times[kind]
            cells.append(f"{statistics.median(values) * 1000:.1f} ms ({min(values) * 1000:.1f}-{max(values) * 1000:.1f})")
        ratio = statistics.median(times["cold"]) / statistics.median(times["warm"])
        lines.append(f"| {what} | {' | '.join(cells)} | {ratio:.0f}x |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    result = measure(args.rounds)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "archive.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "archive.md").write_text(table(result), encoding="utf-8")
    print(table(result))


if __name__ == "__main__":
    main()
