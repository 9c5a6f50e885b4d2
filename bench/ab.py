"""Before/after of the request path: `bench.inprocess` on two code trees, alternately, in one run.

Why alternately and in CPU time: the machine is shared, so two runs minutes apart do not compare;
rounds taken in turn see the same weather, and the server thread's CPU time moves far less with
other work than wall time does. The harness (this folder) is copied aside so both trees are
measured by the same code on the same query text.

Run: `python -m bench.ab --before /work/main --after . --build build` (writes bench/results/lean-path.{md,json}).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
RUNNER = """
import json, sys
harness, code, build, out = sys.argv[1:5]
sys.path[:0] = [harness, code]
if __name__ == "__main__":
    from pathlib import Path
    import bench.inprocess as ip, graph
    assert graph.__file__.startswith(code), graph.__file__
    Path(out).write_text(json.dumps(ip.measure(Path(build), 200, 3)))
"""
ROWS = (
    "healthz",
    "post_sparql",
    "post_sparql_browser_accept",
    "negotiate",
    "form_parse",
    "executor_round_trip",
    "engine_and_our_writer_json",
    "5000_rows_our_writer_json",
)


def measure(code: Path, harness: Path, build: Path, out: Path) -> dict[str, Any]:
    script = harness / "run_ab.py"
    subprocess.run([sys.executable, str(script), str(harness), str(code.resolve()), str(build.resolve()), str(out)], check=True, timeout=1800)
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def markdown(before: list[dict[str, Any]], after: list[dict[str, Any]], names: tuple[str, str]) -> str:
    def best(runs: list[dict[str, Any]], key: str, field: str) -> float:
        return min(r[key][field] for r in runs if key in r)

    lines = [
        "# The /sparql request path, before and after (in-process)",
        "",
        f"`python -m bench.ab`: `bench.inprocess` on {names[0]} (before) and {names[1]} (after), {len(before)} rounds each, taken in turn; "
        "each figure is the best round (µs per call): the server thread's CPU time (steady on a shared machine) and the wall time. "
        "The executor's row runs the query in a worker, so its CPU column is the web process's share only (pickling, the pipe); "
        "the engine-and-writer rows run in the measuring thread (the worker's work, measured here). The POST rows include the test "
        "client building a request with a body, which /healthz (a GET) does not.",
        "",
        "| step | before CPU µs | after CPU µs | before wall µs | after wall µs |",
        "|---|---:|---:|---:|---:|",
    ]
    for key in ROWS:
        if all(key in r for r in before + after):
            lines.append(
                f"| {key} | {best(before, key, 'cpu_min_us'):,.1f} | {best(after, key, 'cpu_min_us'):,.1f} | "
                f"{best(before, key, 'min_us'):,.1f} | {best(after, key, 'min_us'):,.1f} |"
            )
    hz = (best(before, "healthz", "cpu_min_us"), best(after, "healthz", "cpu_min_us"))
    post = (best(before, "post_sparql", "cpu_min_us"), best(after, "post_sparql", "cpu_min_us"))
    lines += [
        "",
        f"POST /sparql over /healthz, server-thread CPU: before {post[0] / hz[0]:.1f}×, after {post[1] / hz[1]:.1f}× "
        f"(the request path's own work beyond the floor: {post[0] - hz[0]:,.0f} µs before, {post[1] - hz[1]:,.0f} µs after).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="a checkout of the code before (e.g. a worktree of main)")
    parser.add_argument("--after", default=str(HERE.parent), help="a checkout of the code after (default: this one)")
    parser.add_argument("--build", default=str(HERE.parent / "build"), help="a build folder both can serve")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    before_code, after_code, build = Path(args.before), Path(args.after), Path(args.build)
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory(prefix="uaeu-ab-") as tmp:
        harness = Path(tmp)
        (harness / "bench").mkdir()
        for name in ("__init__.py", "queries.py", "inprocess.py"):
            shutil.copy(HERE / name, harness / "bench" / name)
        (harness / "run_ab.py").write_text(RUNNER, encoding="utf-8")
        for i in range(args.rounds):
            for label, code in (("before", before_code), ("after", after_code)):
                runs[label].append(measure(code, harness, build, harness / f"{label}-{i}.json"))
                print(f"round {i + 1} {label}: post_sparql cpu {runs[label][-1]['post_sparql'].get('cpu_min_us')} µs", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "lean-path.json").write_text(json.dumps(runs, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "lean-path.md").write_text(markdown(runs["before"], runs["after"], (str(before_code), str(after_code))), encoding="utf-8")
    print(f"wrote {RESULTS / 'lean-path.md'}; median post_sparql wall after {statistics.median(r['post_sparql']['min_us'] for r in runs['after'])} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
