"""`make bench`: build synthetic releases, time build/dump/load/network, and load-test four SPARQL servers side by side.

Why one run for everything: ratios between peers are only meaningful when they share the machine's
state, so every server is started on the same build at the same time and each query is measured on
each of them in turn (order rotated per query). Results: bench/results/*.md (tables) and *.json (raw).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pyoxigraph

from bench import http
from bench.queries import BenchQuery, bench_queries
from bench.synth import parse_size, write_build
from graph.release import remove_tree

RESULTS = Path(__file__).resolve().parent / "results"
NETWORK_SNIPPET = """
import json, sys, time
from pathlib import Path
from graph.config import DEFAULT_BASE
from graph.store.embedded import EmbeddedStore, load_store
from graph.network import network_data, build_network
store = EmbeddedStore(load_store(Path(sys.argv[1])), base=DEFAULT_BASE)
t = time.perf_counter(); data = network_data(store); t1 = time.perf_counter()
net = build_network(data); t2 = time.perf_counter()
print(json.dumps({"network_data": t1 - t, "build_network": t2 - t1, "memberships": len(data.memberships),
                  "nodes": net.graph.number_of_nodes(), "edges": net.graph.number_of_edges()}))
"""
LOAD_SNIPPET = """
import json, sys, time
from pathlib import Path
from graph.store.embedded import load_store
t = time.perf_counter(); store = load_store(Path(sys.argv[1])); print(json.dumps({"load": time.perf_counter() - t, "quads": len(store)}))
"""


def machine() -> dict[str, Any]:
    """What the figures were measured on (they mean little without it)."""
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines() if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) // 1024 for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal")), 0)
    wrk = (
        subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout.splitlines()[:1] if http.shutil.which("wrk") else ["(absent)"]
    )
    return {
        "nproc": os.cpu_count(),
        "memory_mib": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "wrk": wrk[0] if wrk else "?",
        "load_average_at_start": os.getloadavg(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def child(snippet: str, arg: str, cap: float) -> dict[str, Any]:
    """Run a timed step in a fresh process (its own heap, killed at `cap` seconds)."""
    try:
        out = subprocess.run([sys.executable, "-c", snippet, arg], capture_output=True, text=True, timeout=cap, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
    except subprocess.TimeoutExpired:
        return {"error": f">{cap:g} s (cap)"}
    except subprocess.CalledProcessError as err:
        return {"error": err.stderr[-500:]}


def drain(server: http.Server, limit: float = 120.0) -> None:
    """Wait until a server answers a trivial query fast again (its backlog from a load window is done)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            status, _, took = http.post_query(server.url + server.query_path, "ASK {}", timeout=limit)
            if status == 200 and took < 0.5:
                return
        except OSError:
            time.sleep(0.5)


def restart_rdflib(server: http.Server) -> None:
    """A query past the cap keeps rdflib-endpoint busy; restarting is the only way to stop it."""
    server.stop()
    server.start("/?" + urllib.parse.urlencode({"query": "ASK {}"}), timeout=600)


def http_bench(build: Path, queries: list[BenchQuery], window: float, cap: float) -> dict[str, Any]:
    """All servers up on one build; every query checked, then loaded at c=1 and c=8 on each server."""
    result: dict[str, Any] = {"servers": {}, "queries": {}, "healthz": {}}
    our, oxi, rdf = http.ours(build), http.oxigraph_server(), http.rdflib_endpoint(build)
    servers = [our, oxi, rdf]
    try:
        result["servers"][our.name] = {"start_s": our.start("/healthz", timeout=600)}
        result["servers"][our.name]["idle_wait_s"] = our.wait_idle()
        result["servers"][oxi.name] = {"start_s": oxi.start("/", timeout=60)}
        result["servers"][oxi.name]["store_load_s"] = http.load_oxigraph(oxi, build)
        result["servers"][rdf.name] = {"start_s": rdf.start("/?" + urllib.parse.urlencode({"query": "ASK {}"}), timeout=900)}
        for c in (1, 8):
            result["healthz"][f"c{c}-before"] = http.run_load(our.url + "/healthz", None, c, window)
        for i, query in enumerate(queries):
            entry: dict[str, Any] = {"light": query.light, "check": {}, "load": {}}
            for server in servers:
                try:
                    status, body, took = http.post_query(server.url + server.query_path, query.text, timeout=cap)
                    entry["check"][server.name] = {"status": status, "rows": http.row_count(body), "seconds": took}
                except (TimeoutError, OSError) as err:
                    entry["check"][server.name] = {"status": None, "error": f">{cap:g} s (cap): {err}", "seconds": cap}
                    if server is rdf:
                        restart_rdflib(rdf)
            order = servers[i % 3 :] + servers[: i % 3]
            for c in (1, 8):
                for server in order:
                    check = entry["check"][server.name]
                    key = f"{server.name}/c{c}"
                    if check.get("status") != 200:
                        entry["load"][key] = {"skipped": f"check failed: {check.get('error') or check.get('status')}"}
                        continue
                    # rdflib-endpoint answers one query at a time, so c requests queue behind each other.
                    if check["seconds"] * (c if server is rdf else 1) > window / 3:
                        # Too slow for a load window to hold more than a couple of answers: report the single
                        # request's rate (a one-process Python server cannot exceed it at higher concurrency).
                        entry["load"][key] = {"estimated": True, "rps": 1 / check["seconds"], "p50_ms": check["seconds"] * 1000, "p95_ms": None}
                        continue
                    entry["load"][key] = http.run_load(server.url + server.query_path, query.text, c, window)
                    if server is rdf:
                        drain(rdf)
            result["queries"][query.name] = entry
            print(f"  {query.name}: " + ", ".join(f"{k} {v.get('rps', 0):.0f}/s" for k, v in entry["load"].items()), flush=True)
        for c in (1, 8):
            result["healthz"][f"c{c}-after"] = http.run_load(our.url + "/healthz", None, c, window)
    finally:
        for server in servers:
            result["servers"].setdefault(server.name, {})["notes"] = server.notes
            server.stop()
    return result


def run(sizes: list[str], http_sizes: list[str], windows: dict[str, float], out: Path, workdir: Path) -> dict[str, Any]:
    """Every size: build, load, network; HTTP for the sizes in `http_sizes`."""
    report: dict[str, Any] = {"machine": machine(), "sizes": {}, "not_measured": {
        "ours-remote-oxigraph": "our /sparql on a remote Oxigraph server (`uaeu serve --store sparql`): the harness does not start that stack yet (it landed after the harness was written)",
    }}  # fmt: skip
    queries = bench_queries()
    for size in sizes:
        target = parse_size(size)
        build = workdir / f"build-{size}"
        print(f"[{size}] generating and writing the build...", flush=True)
        entry: dict[str, Any] = write_build(build, target)
        cap = 120.0 if target >= 1_000_000 else 60.0
        entry["load"] = child(LOAD_SNIPPET, str(build / "dumps"), cap)
        print(f"[{size}] {entry['timings']} load {entry['load']}", flush=True)
        entry["network"] = child(NETWORK_SNIPPET, str(build / "dumps"), 90.0 if target >= 1_000_000 else 120.0)
        print(f"[{size}] network {entry['network']}", flush=True)
        if size in http_sizes:
            window = windows.get(size, 2.0)
            print(f"[{size}] HTTP, {window:g} s windows...", flush=True)
            entry["http"] = http_bench(build, queries, window, cap=20.0)
            entry["http"]["window_s"] = window
        report["sizes"][size] = entry
        remove_tree(build)  # its releases are read-only
    report["machine"]["load_average_at_end"] = os.getloadavg()
    return report


# -- tables -------------------------------------------------------------------------------------------

PEERS = ("ours-embedded", "oxigraph-server", "rdflib-endpoint")


def _s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def _rps(cell: dict[str, Any] | None) -> str:
    if not cell or "rps" not in cell:
        return "n/m" if not cell else "skip"
    mark = "≈" if cell.get("estimated") else ""
    err = f" ({cell['errors']} err)" if cell.get("errors") else ""
    return f"{mark}{cell['rps']:,.0f}{err}"


def _ms(value: float | None) -> str:
    return "–" if value is None else (f"{value:.1f}" if value < 100 else f"{value:,.0f}")


def _ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> float | None:
    if not a or not b or not a.get("rps") or not b.get("rps"):
        return None
    return float(a["rps"]) / float(b["rps"])


def _x(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}×" if value < 10 else f"{value:,.0f}×"


def healthz_rps(h: dict[str, Any], c: int) -> float:
    return statistics.median([h[f"c{c}-before"]["rps"], h[f"c{c}-after"]["rps"]])


def markdown(report: dict[str, Any]) -> str:
    """The results as Markdown tables: medians (p50), p95 and ratios to each peer."""
    m = report["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Measured {m['date']} by `make bench` on {m['nproc']} cores ({m['cpu']}), {m['memory_mib']:,} MiB; Python {m['python']}, "
        f"pyoxigraph {m['pyoxigraph']}, {m['wrk']}. Load average at start {m['load_average_at_start'][0]:.1f}, at end "
        f"{m['load_average_at_end'][0]:.1f} (other work shared the machine; compare within a table, read ratios as ±30%).",
        "",
        "All traffic on 127.0.0.1; each cell one bounded wrk window (`-t1`, c connections, plus a response cap). "
        "rps = successful requests per second; p50/p95 latency in ms. `≈`: the query took longer than a third of the window, "
        "so its single-request rate is shown instead of a load run (a one-process Python server cannot beat it at higher concurrency). "
        "Light = a gallery query bound to one entity; engine = scans, joins or aggregations.",
        "",
        "Not measured: " + "; ".join(report["not_measured"].values()) + ".",
        "",
        "## Build, dumps, load and network per size",
        "",
        "| size | triples | quads | partnerships | orgs | generate | serialise 5 formats | write dumps (gzip, sums) | load_store | network_data | build_network (orgs) | network nodes / edges |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, e in report["sizes"].items():
        t, c, n = e["timings"], e["counts"], e["network"]
        lines.append(
            f"| {size} | {c['triples']:,} | {c['quads']:,} | {c['partnerships']:,} | {c['organisations']:,} | {_s(t['generate'])} | {_s(t['serialise'])} | "
            f"{_s(t['write'])} | {_s(e['load'].get('load')) if 'load' in e['load'] else e['load'].get('error')} | "
            f"{_s(n.get('network_data')) if 'error' not in n else n['error']} | {_s(n.get('build_network'))} | {n.get('nodes', '–')} / {n.get('edges', '–')} |"
        )
    lines += ["", "Server start-up on each HTTP size (ours: until /healthz answers; then the wait for its background warm-up to finish):", ""]
    lines += [
        "| size | ours start | ours warm-up wait | Oxigraph start | Oxigraph /store load (nq + nt) | rdflib-endpoint start (parse) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for size, e in report["sizes"].items():
        if "http" in e:
            s = e["http"]["servers"]
            lines.append(
                f"| {size} | {_s(s['ours-embedded'].get('start_s'))} | {_s(s['ours-embedded'].get('idle_wait_s'))} | {_s(s['oxigraph-server'].get('start_s'))} | "
                f"{_s(s['oxigraph-server'].get('store_load_s'))} | {_s(s['rdflib-endpoint'].get('start_s'))} |"
            )
    for size, e in report["sizes"].items():
        if "http" not in e:
            continue
        h = e["http"]
        for c in (1, 8):
            hz = healthz_rps(h["healthz"], c)
            lines += [
                "",
                f"## HTTP at {size}, concurrency {c} ({h['window_s']:g} s windows)",
                "",
                f"No-op route of our server (`/healthz`, median of before/after): {hz:,.0f} rps, p50 {_ms(h['healthz'][f'c{c}-before']['p50_ms'])} ms.",
                "",
                "| query | kind | rows | ours rps | p50 | p95 | Oxigraph rps | p50 | p95 | rdflib-endpoint rps | p50 | p95 | ours / Oxigraph | ours / rdflib-ep | ours / healthz |",
                "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            ]
            for name, q in h["queries"].items():
                cells = {p: q["load"].get(f"{p}/c{c}") for p in PEERS}
                rows = {p: q["check"].get(p, {}).get("rows") for p in PEERS}
                agree = len({r for r in rows.values() if r is not None}) <= 1
                row_text = str(rows["ours-embedded"]) + ("" if agree else " ≠ " + "/".join(str(rows[p]) for p in PEERS[1:]))
                parts = [name, "light" if q["light"] else "engine", row_text]
                for p in PEERS:
                    cell = cells[p] or {}
                    parts += [_rps(cells[p]), _ms(cell.get("p50_ms")), _ms(cell.get("p95_ms"))]
                ours_cell = cells["ours-embedded"]
                parts += [
                    _x(_ratio(ours_cell, cells["oxigraph-server"])),
                    _x(_ratio(ours_cell, cells["rdflib-endpoint"])),
                    _x(ours_cell["rps"] / hz if ours_cell and ours_cell.get("rps") else None),
                ]
                lines.append("| " + " | ".join(parts) + " |")
    lines += ["", *targets(report)]
    return "\n".join(lines) + "\n"


def targets(report: dict[str, Any]) -> list[str]:
    """The issue's targets, checked against the tables (reported, never failed on)."""
    out = ["## Targets (checked, not enforced)", ""]
    e = report["sizes"].get("100k", {}).get("http")
    if e:
        hz = healthz_rps(e["healthz"], 8)
        rows = [
            "| query | kind | ours / rdflib-ep ≥ 20× | ours / Oxigraph ≥ 0.9× (engine) | ours / healthz ≥ 0.6× and p50 < 5 ms (light) |",
            "|---|---|---|---|---|",
        ]
        for name, q in e["queries"].items():
            ours_cell, oxi, rdf = (q["load"].get(f"{p}/c8") for p in PEERS)
            r_rdf, r_oxi = _ratio(ours_cell, rdf), _ratio(ours_cell, oxi)
            t1 = "–" if r_rdf is None else f"{'met' if r_rdf >= 20 else 'MISSED'} ({_x(r_rdf)})"
            if q["light"]:
                r_hz = ours_cell["rps"] / hz if ours_cell and ours_cell.get("rps") else None
                p50 = ours_cell.get("p50_ms") if ours_cell else None
                ok = r_hz is not None and r_hz >= 0.6 and p50 is not None and p50 < 5
                t2, t3 = "n/a", f"{'met' if ok else 'MISSED'} ({_x(r_hz)}, p50 {_ms(p50)} ms)"
            else:
                t2, t3 = ("–" if r_oxi is None else f"{'met' if r_oxi >= 0.9 else 'MISSED'} ({_x(r_oxi)})"), "n/a"
            rows.append(f"| {name} | {'light' if q['light'] else 'engine'} | {t1} | {t2} | {t3} |")
        out += ["At 100k triples, concurrency 8:", "", *rows, ""]
    big = report["sizes"].get("1M")
    if big:
        t = big["timings"]
        build_s = t["generate"] + t["serialise"]
        load_s = big["load"].get("load")
        out += [
            "At 1M triples (each under a minute?):",
            "",
            f"- build (generate + serialise): {_s(build_s)}: {'met' if build_s < 60 else 'MISSED'}",
            f"- load (`graph.store.embedded.load_store`): {_s(load_s)}: {'met' if load_s is not None and load_s < 60 else 'MISSED'}",
            f"- dump writing (gzip -9 of five formats, checksums, swap): {_s(t['write'])}: {'met' if t['write'] < 60 else 'MISSED'}",
            "",
        ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "10k,100k,1M"), help="sizes to build and time")
    parser.add_argument("--http-sizes", default=os.environ.get("BENCH_HTTP_SIZES", "10k,100k"), help="sizes also load-tested over HTTP")
    parser.add_argument(
        "--window", type=float, default=float(os.environ.get("BENCH_WINDOW", "0")), help="seconds per load window (default 1 at 10k, 2 at 100k)"
    )
    parser.add_argument("--name", default="bench", help="results file stem in bench/results/")
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    http_sizes = [s for s in args.http_sizes.split(",") if s in sizes]
    windows = {s: args.window or (1.0 if parse_size(s) <= 20_000 else 2.0) for s in http_sizes}
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="uaeu-bench-") as tmp:
        report = run(sizes, http_sizes, windows, RESULTS, Path(tmp))
    (RESULTS / f"{args.name}.json").write_text(json.dumps(report, indent=1, default=str) + "\n", encoding="utf-8")
    (RESULTS / f"{args.name}.md").write_text(markdown(report), encoding="utf-8")
    print(f"wrote {RESULTS / args.name}.md and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
