"""Run SPARQL in worker processes that can be killed, so every query has a hard time limit.

A query inside the store cannot be interrupted from Python, so each worker process holds its
own copy of the release (small: the whole graph loads in well under a second) and answers one
query at a time. A query that runs past its limit gets its worker killed, which frees the CPU
at once; a fresh worker takes its place in the background while the others keep answering.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import queue
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

READY_TIMEOUT = 120.0


class QueryTimeout(Exception):
    """The query ran past its limit and was stopped."""


class Busy(Exception):
    """Every worker stayed busy for the whole time limit."""


class ExecutorError(Exception):
    """A worker died or could not start."""


@dataclass(frozen=True)
class QueryRequest:
    query: str
    results_format: str | None
    graph_format: str | None
    row_cap: int
    base_iri: str
    prefixes: dict[str, str] = field(default_factory=dict)
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryOutcome:
    status: str  # "ok", "syntax", "not-acceptable", "error"
    kind: str = ""  # "select", "ask", "graph"
    fmt: str = ""
    body: bytes = b""
    truncated: bool = False
    count: int = 0
    message: str = ""
    seconds: float = 0.0


def _answer(store: Any, request: QueryRequest) -> QueryOutcome:
    import pyoxigraph as ox

    started = time.perf_counter()
    options: dict[str, Any] = {"base_iri": request.base_iri}
    if request.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    try:
        result = store.query(request.query, **options)
    except SyntaxError as err:
        return QueryOutcome("syntax", message=str(err))
    try:
        return outcome_of(result, request, started)
    except (OSError, RuntimeError, ValueError) as err:
        return QueryOutcome("error", message=str(err))


def outcome_of(result: Any, request: QueryRequest, started: float) -> QueryOutcome:
    """Serialise a query's result in the negotiated format, cut at the row cap.

    `result` is a pyoxigraph boolean, solutions, or an iterable of triples (CONSTRUCT/DESCRIBE);
    the embedded workers and the remote store share this, so both answer alike.
    """
    import pyoxigraph as ox

    from graph.results import capped, serialise_boolean, serialise_graph, serialise_select

    if isinstance(result, ox.QueryBoolean):
        if request.results_format is None:
            return QueryOutcome("not-acceptable", kind="ask")
        body = serialise_boolean(bool(result), request.results_format)
        return QueryOutcome("ok", "ask", request.results_format, body, False, 1, seconds=time.perf_counter() - started)
    if isinstance(result, ox.QuerySolutions):
        if request.results_format is None:
            return QueryOutcome("not-acceptable", kind="select")
        variables = [v.value for v in result.variables]
        rows, truncated = capped(result, request.row_cap)
        body = serialise_select(variables, rows, truncated, request.results_format)  # type: ignore[arg-type]
        return QueryOutcome("ok", "select", request.results_format, body, truncated, len(rows), seconds=time.perf_counter() - started)
    if request.graph_format is None:
        return QueryOutcome("not-acceptable", kind="graph")
    triples, truncated = capped(result, request.row_cap)
    body = serialise_graph(triples, truncated, request.graph_format, request.prefixes)  # type: ignore[arg-type]
    return QueryOutcome("ok", "graph", request.graph_format, body, truncated, len(triples), seconds=time.perf_counter() - started)


def _worker_main(conn: Connection, dumps: str) -> None:
    """Worker process: load the release, report its graphs, then answer requests until told to stop."""
    from graph.store import load_store

    store = load_store(Path(dumps))
    graphs = sorted(g.value for g in store.named_graphs())
    conn.send(("ready", graphs))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        conn.send(_answer(store, request))


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection


class QueryExecutor:
    """A small pool of query worker processes with a hard time limit per query."""

    def __init__(self, dumps: Path, workers: int = 2, timeout: float = 10.0) -> None:
        self.dumps = dumps
        self.timeout = timeout
        self.graphs: list[str] = []
        self._context = mp.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[int] = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [self._start() for _ in range(max(1, workers))]
        for worker in started:
            self._idle.put(self._wait_ready(worker))

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_worker_main, args=(child, str(self.dumps)), daemon=True, name="uaeu-query-worker")
        process.start()
        child.close()
        return _Worker(process, parent)

    def _wait_ready(self, worker: _Worker) -> _Worker:
        if not worker.conn.poll(READY_TIMEOUT):
            worker.process.kill()
            raise ExecutorError(f"a query worker did not load {self.dumps} within {READY_TIMEOUT:.0f}s")
        try:
            tag, graphs = worker.conn.recv()
        except EOFError:
            raise ExecutorError(f"a query worker died while loading {self.dumps}") from None
        if tag != "ready":
            raise ExecutorError(f"unexpected message from a query worker: {tag}")
        self.graphs = graphs
        with self._lock:
            self._all.add(id(worker))
        return worker

    def _replace(self) -> None:
        if self._closed:
            return
        with contextlib.suppress(ExecutorError):
            self._idle.put(self._wait_ready(self._start()))

    def _retire(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        with self._lock:
            self._all.discard(id(worker))
        threading.Thread(target=self._replace, daemon=True).start()

    def execute(self, request: QueryRequest, timeout: float | None = None) -> QueryOutcome:
        """Answer one query within `timeout` seconds (the executor's default if None)."""
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        try:
            worker = self._idle.get(timeout=limit)
        except queue.Empty:
            raise Busy(f"every query worker stayed busy for {limit:g}s") from None
        try:
            worker.conn.send(request)
            if worker.conn.poll(max(0.0, deadline - time.monotonic())):
                outcome: QueryOutcome = worker.conn.recv()
                self._idle.put(worker)
                return outcome
        except (EOFError, OSError, BrokenPipeError):
            self._retire(worker)
            raise ExecutorError("the query worker died; it is being replaced") from None
        self._retire(worker)
        raise QueryTimeout(f"the query ran longer than {limit:g}s and was stopped")

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            with contextlib.suppress(OSError):
                worker.conn.send(None)
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
            worker.conn.close()
