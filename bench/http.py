"""Servers under test and the bounded load generator (wrk, or a threaded Python client if wrk is missing).

Why a process per server on 127.0.0.1, started and stopped by PID: the numbers must be what users get
from each stack as shipped, and nothing may be left running. Every load is bounded twice (a time window
and a response count per connection), and an outer timeout kills a stuck client.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import free_port

VENV_BIN = Path(sys.executable).parent
MAX_RESPONSES = 50_000  # per wrk thread: the count bound next to the time window
JSON_ACCEPT = "application/sparql-results+json"


def cpu_seconds(pid: int) -> float:
    """User+system CPU of one process (from /proc), to tell when a server has gone idle."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """One server under test: how to start it, where to send queries, and its process."""

    name: str
    command: list[str]
    query_path: str
    port: int
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str, timeout: float = 300.0, env: dict[str, str] | None = None) -> float:
        """Start in its own session; seconds until `ready_path` answers 200."""
        handle, name = tempfile.mkstemp(prefix=f"bench-{self.name}-", suffix=".log")
        self.log = Path(name)
        started = time.perf_counter()
        self.process = subprocess.Popen(self.command, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, **(env or {})})
        os.close(handle)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + ready_path, timeout=5) as response:  # noqa: S310 - loopback http URLs we build
                    if response.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer {ready_path} within {timeout:g} s")

    def wait_idle(self, limit: float = 180.0, threshold: float = 0.05) -> float:
        """Wait until the server's main process uses under 5% of a core (background warm-ups done)."""
        assert self.process is not None
        started = time.monotonic()
        last = cpu_seconds(self.process.pid)
        while time.monotonic() - started < limit:
            time.sleep(1.0)
            now = cpu_seconds(self.process.pid)
            if now - last < threshold:
                return time.monotonic() - started
            last = now
        self.notes.append(f"still busy after {limit:g} s of waiting for idle")
        return limit

    def stop(self) -> None:
        """Stop the server's whole session (it may have spawned query workers) by its own process group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        self.process = None
        if self.log:
            self.log.unlink(missing_ok=True)


def post_query(url: str, query: str, timeout: float) -> tuple[int, bytes, float]:
    """One SPARQL query as a form POST (every server here takes that): status, body, seconds."""
    body = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": JSON_ACCEPT})  # noqa: S310 - loopback http URLs we build
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback http URLs we build
            data = response.read()
            return response.status, data, time.perf_counter() - started
    except urllib.error.HTTPError as err:
        return err.code, err.read(), time.perf_counter() - started


def row_count(body: bytes) -> int | None:
    """Rows of a SPARQL JSON answer (None if it is not one)."""
    try:
        return len(json.loads(body)["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None


LUA = """
wrk.method = "{method}"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "{accept}"
local seen = 0
function response(status, headers, body)
  seen = seen + 1
  if seen >= {limit} then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCHJSON {{"requests":%d,"duration_us":%d,"status_errors":%d,"connect_errors":%d,"read_errors":%d,"timeouts":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d}}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def lua_string(text: str) -> str:
    """A Lua long-bracket string that cannot be closed by the text itself."""
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    eq = "=" * level
    return f"[{eq}[{text}]{eq}]"


def run_load(url: str, query: str | None, connections: int, seconds: float) -> dict[str, Any]:
    """Requests per second and latency percentiles for `connections` concurrent clients over `seconds`.

    `query` None means a plain GET of `url` (the no-op route). Bounded by time, by count and by an outer timeout.
    """
    if shutil.which("wrk"):
        return _wrk(url, query, connections, seconds)
    return _python_load(url, query, connections, seconds)


def _wrk(url: str, query: str | None, connections: int, seconds: float) -> dict[str, Any]:
    body = lua_string(urllib.parse.urlencode({"query": query})) if query is not None else "nil"
    script = LUA.format(method="POST" if query is not None else "GET", body=body, accept=JSON_ACCEPT, limit=MAX_RESPONSES)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", handle.name, url]
        out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    finally:
        os.unlink(handle.name)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {out.stdout[-500:]} {out.stderr[-500:]}")
    raw = json.loads(line.removeprefix("BENCHJSON "))
    errors = raw["status_errors"] + raw["connect_errors"] + raw["read_errors"] + raw["timeouts"]
    ok = raw["requests"] - raw["status_errors"]
    return {
        "tool": "wrk",
        "requests": raw["requests"],
        "errors": errors,
        "rps": ok / (raw["duration_us"] / 1e6) if raw["duration_us"] else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
    }


def _python_load(url: str, query: str | None, connections: int, seconds: float) -> dict[str, Any]:
    """Fallback client: `connections` threads, each sending one request after another until the window ends."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        count = 0
        while time.monotonic() < deadline and count < MAX_RESPONSES:
            count += 1
            try:
                if query is None:
                    started = time.perf_counter()
                    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback http URLs we build
                        response.read()
                    status, took = response.status, time.perf_counter() - started
                else:
                    status, _, took = post_query(url, query, 30)
            except OSError:
                status, took = 0, 0.0
            with lock:
                if status == 200:
                    latencies.append(took)
                else:
                    errors[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    return {
        "tool": "python",
        "requests": len(latencies) + errors[0],
        "errors": errors[0],
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": ordered[-1] * 1000,
    }


#: The load generator stands in for many users from one address, so the per-client limits are lifted for
#: throughput runs (the shared limits stay: workers, the time limit, slots for slow queries). The
#: fairness run (bench.fairness) keeps every default.
LOAD_ENV = {"UAEU_QUERIES_PER_CLIENT": "64", "UAEU_QUERY_QUEUE": "64", "UAEU_CLIENT_SECONDS_PER_MINUTE": "1000000", "UAEU_COOLDOWN_AFTER_STOP": "0"}
#: The time limit every server gets (ours: UAEU_QUERY_TIMEOUT; Oxigraph: --timeout-s).
QUERY_TIMEOUT_S = 10


#: Our server with no kept answers: every request computed by a worker (graph.sparql.answers).
NO_KEPT_ANSWERS = {"UAEU_ANSWER_CACHE_BYTES": "0"}


def ours(build: Path, name: str = "ours-embedded") -> Server:
    """`uaeu serve --build BUILD`: the web app with /sparql on the embedded store, as users run it."""
    port = free_port()
    return Server(name, [str(VENV_BIN / "uaeu"), "serve", "--host", "127.0.0.1", "--port", str(port), "--build", str(build)], "/sparql", port)


def ours_remote(build: Path, endpoint: str) -> Server:
    """`uaeu serve --store sparql`: the same app, its pages and /sparql answered by a pushed Oxigraph server."""
    port = free_port()
    command = [str(VENV_BIN / "uaeu"), "serve", "--host", "127.0.0.1", "--port", str(port), "--build", str(build), "--store", "sparql", "--endpoint", endpoint]
    return Server("ours-remote", command, "/sparql", port)


def oxigraph_server(name: str = "oxigraph-server") -> Server:
    """The Oxigraph server, in memory (no --location), with the same time limit as ours; loaded over /store after start."""
    port = free_port()
    command = [str(VENV_BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}", "--timeout-s", str(QUERY_TIMEOUT_S)]
    return Server(name, command, "/query", port)


def push(build: Path, server: Server) -> float:
    """`uaeu push` the build's release into an Oxigraph server (as an operator would); seconds."""
    started = time.perf_counter()
    subprocess.run([str(VENV_BIN / "uaeu"), "push", "--build", str(build), "--endpoint", server.url + "/query"], check=True, capture_output=True, timeout=900)
    return time.perf_counter() - started


def rdflib_endpoint(build: Path) -> Server:
    """`rdflib-endpoint serve` on the N-Quads dump, exactly as its CLI runs (a Dataset with default_union)."""
    port = free_port()
    return Server(
        "rdflib-endpoint", [str(VENV_BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port), str(build / "dumps" / "uaeu.nq")], "/", port
    )


def load_oxigraph(server: Server, build: Path) -> float:
    """POST the named graphs (N-Quads) and the union into the default graph (N-Triples), like our store holds them."""
    started = time.perf_counter()
    for name, path, media in (("nq", "/store", "application/n-quads"), ("nt", "/store?default", "application/n-triples")):
        data = (build / "dumps" / f"uaeu.{name}").read_bytes()
        request = urllib.request.Request(server.url + path, data=data, headers={"Content-Type": media}, method="POST")  # noqa: S310 - loopback http URLs we build
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 - loopback http URLs we build
            response.read()
    return time.perf_counter() - started
