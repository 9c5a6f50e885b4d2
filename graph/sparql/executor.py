"""Run user SPARQL in worker processes that are cut off from the network, can be killed, and are shared fairly.

A query inside the store cannot be interrupted from Python, so each worker process holds its own
copy of the release and answers one query at a time. The worker checks the query itself (the
guard's parse runs there, not in the web server, so a query that is slow to parse costs a killable
worker and never the server's own threads), then runs exactly the text it checked.

Fairness, so that runaway queries cannot starve anyone (each limit is a setting, see `PoolLimits`):

- one client has at most `per_client` queries admitted at once; more is `TooManyForClient` (429);
- at most `queue` queries wait for a free worker; more is `Busy` (503), and so is a wait longer
  than the time limit;
- every worker runs at a lower CPU priority than the web server (`WORKER_NICENESS`), so pages and
  kept answers never queue behind user SPARQL, nor behind a worker loading a release;
- a query still running after `slow_after` seconds takes one of `slow_slots` (fewer than the
  workers, so some workers are always free for quick queries) and runs at a lower CPU priority still;
  when every slot is taken it is stopped (`SlowLaneFull`, 503) rather than block the pool;
- a query past its time limit has its worker killed, which frees the CPU at once (`QueryTimeout`);
- a client whose query was stopped because every slot for long queries was taken waits
  `cooldown` seconds before its next one is admitted (429 with Retry-After), so a loop of
  runaway queries cannot keep taking workers away from everyone else;
- one client may hold at most one of the slots for long queries, and use at most `client_seconds`
  of worker time in any minute (WDQS has a similar budget): past it, 429 until the minute rolls on;
- `spares` extra workers stand ready, so a killed worker is replaced at once, not after a restart;
- a worker may not grow past `worker_memory_mb`, nor send an answer larger than `max_result_bytes`.

Workers are started by one long-lived thread, ask the kernel to kill them when that thread's
process dies (so a server killed mid-query leaves nothing running), are checked before each use,
and a dead one is replaced before anyone is handed it.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import gc
import math
import multiprocessing as mp
import os
import queue
import select
import sys
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from graph.sparql.answers import AnswerCache

READY_TIMEOUT = 120.0
WORKER_STACK = 1 << 30  # deep (but legal) queries need a deep stack in the parser and the engine
#: Every worker runs this much below the web server's CPU priority (niceness added to the server's), from
#: its first instruction (loading a release included): the site's pages and kept answers are served by the web process, and must not wait for
#: user SPARQL, or for a worker being started in place of a killed one.
WORKER_NICENESS = 5
#: Lower still for a query past `slow_after` (it may not come back: raising priority needs privilege).
SLOW_NICENESS = 15
MAX_NICENESS = 19


class ExecutorError(Exception):
    """A worker died or could not start."""

    def __init__(self, message: str, retry_after: int = 2) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QueryTimeout(Exception):
    """The query ran past its limit and was stopped."""

    retry_after = 0


class Busy(ExecutorError):
    """No worker became free in time, or too many queries are already waiting."""


class TooManyForClient(Busy):
    """This client already has as many queries admitted as one client may."""


class SlowLaneFull(Busy):
    """The query ran long while every slot for long-running queries was taken."""


@dataclass(frozen=True)
class PoolLimits:
    """How the workers are shared. Defaults suit a small public server; each has a UAEU_ setting."""

    workers: int = 4
    timeout: float = 10.0
    per_client: int = 2
    queue: int = 8
    slow_after: float = 1.0
    slow_slots: int | None = None  # default: workers - 2 (at least 1)
    cooldown: float = 10.0
    spares: int = 1
    client_seconds: float = 30.0  # worker time one client may use per rolling minute
    max_result_bytes: int = 32 * 1024 * 1024
    worker_memory_mb: int = 4096
    max_bytes: int = 64 * 1024
    max_depth: int = 64
    releases: int = 3  # archived releases one worker keeps loaded (UAEU_RELEASE_CACHE), least recently used dropped
    answer_cache_bytes: int = 64 * 1024 * 1024  # answers kept for reuse (UAEU_ANSWER_CACHE_BYTES; 0: none), see graph.sparql.answers

    @property
    def long_slots(self) -> int:
        return self.slow_slots if self.slow_slots is not None else max(1, self.workers - 2)


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
    #: For a worker with no store (the remote case): the graphs a dataset clause may name.
    known_graphs: tuple[str, ...] | None = None
    #: An archived release's dumps folder to answer from (chosen by the server, never by the client); None: the pool's own.
    dumps: str | None = None
    #: Links the answer's head carries where the format has one (SPARQL JSON `head.link`, XML `<link>`): the release.
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryOutcome:
    status: str  # "ok", "checked", "refused", "syntax", "not-acceptable", "error"
    kind: str = ""  # "select", "ask", "graph"
    fmt: str = ""
    body: bytes = b""
    truncated: bool = False
    count: int = 0
    message: str = ""
    seconds: float = 0.0
    http_status: int = 400
    #: The guard found nothing in the query that changes between runs, and the answer came from a store the pool owns.
    reusable: bool = False
    #: This answer was kept from an earlier run of the same request (graph.sparql.answers), not computed now.
    cached: bool = False


# --- inside a worker process --------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _checked(text: str, known: tuple[str, ...], base: str, max_bytes: int, max_depth: int) -> tuple[str, int, str, bool]:
    """("", 0, canonical text, reusable) when the guard lets the query run, else ("refused", status, reason, False).

    `reusable`: the parse tree calls no function whose value changes between runs (`guard.volatile`).
    """
    from graph.sparql.guard import Limits, Refusal, canonical, check_query, check_shape, volatile

    try:
        check_shape(text, Limits(max_bytes, max_depth))
        text = canonical(text)
        check_shape(text, Limits(max_bytes * 4, max_depth))
        tree = check_query(text, known, base)
    except Refusal as refusal:
        return ("refused", refusal.status, refusal.reason, False)
    return ("", 0, text, not volatile(tree))


def _answer(store: Any, graphs: tuple[str, ...], request: QueryRequest, limits: PoolLimits) -> QueryOutcome:
    from graph.sparql.guard import Refusal, check_graph_parameters

    started = time.perf_counter()
    known = graphs if request.known_graphs is None else request.known_graphs
    verdict, status, text, reusable = _checked(request.query, known, request.base_iri, limits.max_bytes, limits.max_depth)
    if verdict:
        return QueryOutcome("refused", message=text, http_status=status)
    try:
        check_graph_parameters(request.default_graphs, request.named_graphs, known)
    except Refusal as refusal:
        return QueryOutcome("refused", message=refusal.reason, http_status=refusal.status)
    if store is None:
        return QueryOutcome("checked", body=text.encode("utf-8"), seconds=time.perf_counter() - started)

    import pyoxigraph as ox

    # The answer's own time (engine and writer), without the guard's parse of a new text: what
    # X-Query-Seconds reports, and what a repeat of the same request is charged when its answer is kept.
    started = time.perf_counter()

    options: dict[str, Any] = {"base_iri": request.base_iri}
    if request.default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    if request.named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    try:
        result = store.query(text, **options)
        outcome = outcome_of(result, request, started)
    except SyntaxError as err:
        return QueryOutcome("syntax", message=str(err))
    except PermissionError:
        # The sandbox refused a socket: the query tried to reach the network past the guard.
        return QueryOutcome("refused", message="this query tried to reach the network; this endpoint never fetches other URLs", http_status=400)
    except MemoryError:
        return QueryOutcome(
            "refused", message=f"the answer needs more memory than a query may use ({limits.worker_memory_mb} MB); narrow the query down", http_status=422
        )
    except (OSError, RuntimeError, ValueError) as err:
        return QueryOutcome("error", message=str(err))
    if len(outcome.body) > limits.max_result_bytes:
        size = len(outcome.body)
        return QueryOutcome(
            "refused",
            message=f"the answer is {size:,} bytes, more than the {limits.max_result_bytes:,} an answer may have (UAEU_MAX_RESULT_BYTES); "
            "add a LIMIT or select fewer or shorter values",
            http_status=422,
        )
    return replace(outcome, reusable=reusable) if reusable and outcome.status == "ok" else outcome


def outcome_of(result: Any, request: QueryRequest, started: float) -> QueryOutcome:
    """Serialise a query's result in the negotiated format, cut at the row cap.

    `result` is a pyoxigraph boolean, solutions, or an iterable of triples (CONSTRUCT/DESCRIBE), or
    a `GraphStore` result (a bool, `Solutions`, a list of triples): the embedded workers and
    /sparql on a remote store share this, so both answer alike.
    """
    import pyoxigraph as ox

    from graph.sparql.results import capped, native_select, serialise_boolean, serialise_graph, serialise_select

    if isinstance(result, ox.QueryBoolean | bool):
        if request.results_format is None:
            return QueryOutcome("not-acceptable", kind="ask")
        body = serialise_boolean(bool(result), request.results_format, request.links)
        return QueryOutcome("ok", "ask", request.results_format, body, False, 1, seconds=time.perf_counter() - started)
    variables = getattr(result, "variables", None)
    if variables is not None:  # ox.QuerySolutions (written by pyoxigraph) or graph.store.Solutions (names, written here)
        if request.results_format is None:
            return QueryOutcome("not-acceptable", kind="select")
        if isinstance(result, ox.QuerySolutions):
            body, count, truncated = native_select(result, request.row_cap, request.results_format, request.links)
            return QueryOutcome("ok", "select", request.results_format, body, truncated, count, seconds=time.perf_counter() - started)
        names = [str(v) for v in variables]
        head, truncated = capped(result, request.row_cap)
        body = serialise_select(names, head, truncated, request.results_format, request.links)
        return QueryOutcome("ok", "select", request.results_format, body, truncated, len(head), seconds=time.perf_counter() - started)
    if request.graph_format is None:
        return QueryOutcome("not-acceptable", kind="graph")
    triples, truncated = capped(result, request.row_cap)
    body = serialise_graph(triples, truncated, request.graph_format, request.prefixes)
    return QueryOutcome("ok", "graph", request.graph_format, body, truncated, len(triples), seconds=time.perf_counter() - started)


def _worker_main(conn: Connection, dumps: str | None, parent_pid: int, limits: PoolLimits) -> None:
    """Worker process: leave the network, load the release, then answer requests until told to stop."""
    from graph.sparql.sandbox import IsolationError, die_with_parent, isolate_network

    die_with_parent(parent_pid)
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)  # relative to the server's own
    try:
        isolate_network()
    except IsolationError as err:
        conn.send(("failed", str(err)))
        return
    _limit_memory(limits.worker_memory_mb)
    sys.setrecursionlimit(1_000_000)
    try:
        threading.stack_size(WORKER_STACK)
    except (ValueError, RuntimeError):
        threading.stack_size(256 << 20)
    thread = threading.Thread(target=_serve, args=(conn, dumps, limits), name="uaeu-query")
    thread.start()
    thread.join()


def _limit_memory(megabytes: int) -> None:
    """Cap the worker's address space (its 1 GiB stack reservation included), so one query cannot
    take the machine's memory: past it the query fails, and at worst the worker dies and is replaced."""
    try:
        import resource

        cap = (megabytes << 20) + WORKER_STACK
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    except (ImportError, ValueError, OSError):
        pass


def _serve(conn: Connection, dumps: str | None, limits: PoolLimits) -> None:
    store = None
    graphs: tuple[str, ...] = ()
    if dumps is not None:
        store, graphs = _load(dumps)
    import rdflib.plugins.sparql.parser  # noqa: F401  (load the guard's grammar before the first query)

    # What the worker holds for life (modules, the guard's grammar, the release) is taken out of the
    # garbage collector's full walks, as the server does once started (webapp.app.settle): a new text's
    # parse allocates enough to set off a full collection every 60 or so texts, and walking the grammar
    # made each 20-30 ms (0.3 ms a new text on average); frozen, each is about 2 ms.
    gc.collect()
    gc.freeze()
    archived: OrderedDict[str, tuple[Any, tuple[str, ...]]] = OrderedDict()
    conn.send(("ready", list(graphs)))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        if store is not None and request.dumps is not None and request.dumps != dumps:
            conn.send(_answer(*_archived(archived, request.dumps, limits.releases), request, limits))
        else:
            conn.send(_answer(store, graphs, request, limits))


def _load(dumps: str) -> tuple[Any, tuple[str, ...]]:
    from graph.store.embedded import load_store

    store = load_store(Path(dumps))
    return store, tuple(sorted(g.value for g in store.named_graphs()))


def _archived(loaded: OrderedDict[str, tuple[Any, tuple[str, ...]]], dumps: str, bound: int) -> tuple[Any, tuple[str, ...]]:
    """An archived release's store in this worker: loaded on first use (inside the query's time limit), at most `bound` kept."""
    if dumps in loaded:
        loaded.move_to_end(dumps)
        return loaded[dumps]
    found = _load(dumps)
    loaded[dumps] = found
    while len(loaded) > max(1, bound):
        loaded.popitem(last=False)
    return found


# --- in the server ----------------------------------------------------------------------------


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection
    #: Polls `conn` alone, made once: `Connection.poll` builds, fills and drops a selector on every call
    #: (about 12 µs, twice a query, in the server's thread).
    poller: select.poll = field(default_factory=select.poll)

    def __post_init__(self) -> None:
        self.poller.register(self.conn.fileno(), select.POLLIN)

    def readable(self, timeout: float) -> bool:
        """`conn.poll(timeout)`: True once the worker has answered, or has gone (end of file); False after `timeout` seconds."""
        return bool(self.poller.poll(math.ceil(max(0.0, timeout) * 1000)))


class QueryExecutor:
    """A pool of sandboxed query worker processes, shared fairly, with a hard time limit per query.

    `dumps` is the release's dumps folder; None gives workers with no store, which only check
    queries (used in front of a remote SPARQL server).
    """

    def __init__(self, dumps: Path | None, workers: int = 2, timeout: float = 10.0, limits: PoolLimits | None = None) -> None:
        self.dumps = dumps
        self.limits = limits or PoolLimits(workers=workers, timeout=timeout)
        self.timeout = self.limits.timeout
        self.graphs: list[str] = []
        self._context = mp.get_context("spawn")
        # Last in, first out: at low concurrency one worker answers most queries, so a new query text
        # is parsed by the guard once (its LRU cache) rather than once per worker, and that worker's
        # memory stays warm; any idle worker is as good as another for fairness.
        self._idle: queue.Queue[_Worker] = queue.LifoQueue()
        self._live: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._clients: Counter[str] = Counter()
        self._waiting = 0
        self._slow = threading.BoundedSemaphore(self.limits.long_slots)
        self._permits = threading.BoundedSemaphore(max(1, self.limits.workers))
        self._cooldown: dict[str, float] = {}
        self._slow_clients: Counter[str] = Counter()
        # Per client: (when, worker seconds) of the last minute, oldest first, and their sum, so admitting
        # a query costs the same however many that client sent (a list rebuilt per query grew with its rate).
        self._spent: dict[str, collections.deque[tuple[float, float]]] = {}
        self._spent_total: dict[str, float] = {}
        self._closed = False
        self._niceness = os.getpriority(os.PRIO_PROCESS, 0)
        self.answers = AnswerCache(self.limits.answer_cache_bytes)
        self._spawns: queue.Queue[int | None] = queue.Queue()
        self._started = threading.Event()
        self._start_error: ExecutorError | None = None
        # Every worker is started by this one thread, which lives as long as the pool: the kernel
        # kills a worker when the thread that started it ends (die_with_parent).
        self._spawner = threading.Thread(target=self._spawn_loop, name="uaeu-worker-spawner", daemon=True)
        self._spawner.start()
        self._spawns.put(max(1, self.limits.workers) + max(0, self.limits.spares))
        self._started.wait()
        error = self._startup_failure()
        if error is not None:
            self.close()
            raise error

    def _startup_failure(self) -> ExecutorError | None:
        """What stopped the first workers from starting (set by the spawner thread), if anything."""
        return self._start_error

    # -- workers

    def _spawn_loop(self) -> None:
        first = True
        while True:
            count = self._spawns.get()
            if count is None or self._closed:
                return
            try:
                started = [self._start() for _ in range(count)]
                for worker in started:
                    self._idle.put(self._wait_ready(worker))
            except ExecutorError as err:
                if first:
                    self._start_error = err
                else:
                    time.sleep(1.0)
                    self._spawns.put(1)  # try again: the pool must not shrink for good
            finally:
                if first:
                    first = False
                    self._started.set()

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        dumps = None if self.dumps is None else str(self.dumps)
        process = self._context.Process(target=_worker_main, args=(child, dumps, os.getpid(), self.limits), daemon=True, name="uaeu-query-worker")
        process.start()
        child.close()
        return _Worker(process, parent)

    def _wait_ready(self, worker: _Worker) -> _Worker:
        if not worker.readable(READY_TIMEOUT):
            worker.process.kill()
            raise ExecutorError(f"a query worker did not load {self.dumps} within {READY_TIMEOUT:.0f}s")
        try:
            tag, detail = worker.conn.recv()
        except (EOFError, OSError):
            raise ExecutorError(f"a query worker died while loading {self.dumps}") from None
        if tag != "ready":
            worker.process.join(5)
            raise ExecutorError(f"a query worker could not start: {detail}")
        self.graphs = detail
        with self._lock:
            self._live[worker.process.pid or 0] = worker
        return worker

    def _retire(self, worker: _Worker) -> None:
        """Kill a worker (whatever it is doing) and have a fresh one started in its place."""
        with contextlib.suppress(OSError, ValueError):
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        with self._lock:
            self._live.pop(worker.process.pid or 0, None)
        if not self._closed:
            self._spawns.put(1)

    def _healthy(self, worker: _Worker) -> bool:
        """A worker that died while idle (killed from outside, out of memory) must not get a query."""
        if not worker.process.is_alive():
            return False
        try:
            return not worker.readable(0)  # an idle worker has nothing to say; EOF means it is gone
        except (OSError, EOFError):
            return False

    # -- fairness

    def _admit(self, client: str) -> None:
        with self._lock:
            until = self._cooldown.get(client, 0.0)
            now = time.monotonic()
            if until > now:
                wait = int(until - now) + 1
                raise TooManyForClient(
                    f"your last query was stopped for running long while the slots for long queries were full; the next one is admitted in {wait}s (UAEU_COOLDOWN_AFTER_STOP)",
                    retry_after=wait,
                )
            self._cooldown.pop(client, None)
            spent = self._spent_in_last_minute(client, now)
            if spent >= self.limits.client_seconds:
                oldest = self._spent[client][0][0]
                wait = max(1, int(oldest + 60.0 - now) + 1)
                raise TooManyForClient(
                    f"your queries used {spent:.0f}s of worker time in the last minute; one client may use {self.limits.client_seconds:g}s "
                    f"(UAEU_CLIENT_SECONDS_PER_MINUTE); try again in {wait}s",
                    retry_after=wait,
                )
            if self._clients[client] >= self.limits.per_client:
                raise TooManyForClient(
                    f"you already have {self._clients[client]} queries running or waiting; one client may have {self.limits.per_client} at a time (UAEU_QUERIES_PER_CLIENT)"
                )
            if self._waiting >= self.limits.queue:
                raise Busy(f"{self._waiting} queries are already waiting for a worker (UAEU_QUERY_QUEUE)")
            self._clients[client] += 1
            self._waiting += 1

    def _spent_in_last_minute(self, client: str, now: float) -> float:
        entries = self._spent.get(client)
        if entries is None:
            return 0.0
        total = self._spent_total[client]
        while entries and entries[0][0] <= now - 60.0:
            total -= entries.popleft()[1]
        if not entries:
            del self._spent[client], self._spent_total[client]
            return 0.0
        self._spent_total[client] = total = max(0.0, total)
        return total

    def _charge(self, client: str, seconds: float) -> None:
        with self._lock:
            self._spent.setdefault(client, collections.deque()).append((time.monotonic(), seconds))
            self._spent_total[client] = self._spent_total.get(client, 0.0) + seconds

    def _leave(self, client: str) -> None:
        with self._lock:
            self._clients[client] -= 1
            if self._clients[client] <= 0:
                del self._clients[client]

    def _take(self, deadline: float) -> _Worker:
        """A permit to run (one of `workers`), then a live worker (spares cover one being replaced)."""
        try:
            if not self._permits.acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise Busy(f"no query worker became free within {self.timeout:g}s")
        finally:
            with self._lock:
                self._waiting -= 1
        try:
            return self._live_worker(deadline)
        except Busy:
            self._permits.release()
            raise

    def _live_worker(self, deadline: float) -> _Worker:
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise Busy(f"no query worker became free within {self.timeout:g}s") from None
            if self._healthy(worker):
                return worker
            self._retire(worker)

    # -- the one public operation

    def execute(self, request: QueryRequest, timeout: float | None = None, client: str = "") -> QueryOutcome:
        """Answer one query within `timeout` seconds (the pool's limit if None), fairly to `client`."""
        if self._closed:
            raise ExecutorError("the query pool is shut down")
        limit = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        self._admit(client)
        try:
            kept = self.answers.get(request)
            if kept is not None:
                # Every admission rule was applied above. A kept answer takes no worker time, so a quick
                # one is not charged; a long one (past `slow_after` when computed) is charged what it cost
                # then, so a client looping a heavy query meets the budget exactly as it did before.
                with self._lock:
                    self._waiting -= 1
                if kept.seconds >= self.limits.slow_after:
                    self._charge(client, min(kept.seconds, limit))
                return replace(kept, cached=True)
            worker = self._take(deadline)
            began = time.monotonic()
            try:
                attempts = self.limits.workers + self.limits.spares + 1
                while True:
                    tried = time.monotonic()
                    try:
                        outcome = self._run(worker, request, limit, deadline, client)
                        self.answers.put(request, outcome)
                        return outcome
                    except ExecutorError as died:
                        attempts -= 1
                        if isinstance(died, Busy) or time.monotonic() - tried > 0.5 or attempts <= 0:
                            raise
                    # The worker was already dead when handed the query (killed from outside an
                    # instant before): try another, under the same permit, rather than fail.
                    worker = self._live_worker(deadline)
            finally:
                self._permits.release()
                self._charge(client, min(time.monotonic() - began, limit))  # killing a worker is not the client's time
        except SlowLaneFull as stopped:
            if self.limits.cooldown > 0:
                with self._lock:
                    self._cooldown[client] = time.monotonic() + self.limits.cooldown
                stopped.retry_after = int(self.limits.cooldown)
            raise
        finally:
            self._leave(client)

    def _run(self, worker: _Worker, request: QueryRequest, limit: float, deadline: float, client: str = "") -> QueryOutcome:
        slow = False
        try:
            worker.conn.send(request)
            ready = worker.readable(min(deadline, time.monotonic() + self.limits.slow_after) - time.monotonic())
            if not ready and time.monotonic() < deadline:
                with self._lock:
                    own = self._slow_clients[client]
                if own >= 1 or not self._slow.acquire(blocking=False):
                    self._retire(worker)
                    raise SlowLaneFull(
                        f"this query ran longer than {self.limits.slow_after:g}s while "
                        + (
                            "you already had a long-running query (one per client)"
                            if own
                            else f"{self.limits.long_slots} long-running queries were already running"
                        )
                        + " (UAEU_SLOW_QUERY_SLOTS); it was stopped so quick queries keep flowing: try again shortly, or narrow it down"
                    )
                slow = True
                with self._lock:
                    self._slow_clients[client] += 1
                _renice(worker, min(MAX_NICENESS, self._niceness + SLOW_NICENESS))
                ready = worker.readable(deadline - time.monotonic())
            if ready:
                outcome: QueryOutcome = worker.conn.recv()
                if slow and not _renice(worker, min(MAX_NICENESS, self._niceness + WORKER_NICENESS)):
                    self._retire(worker)
                else:
                    self._idle.put(worker)
                return outcome
        except (EOFError, OSError):
            self._retire(worker)
            raise ExecutorError("the query worker died; it is being replaced") from None
        finally:
            if slow:
                self._slow.release()
                with self._lock:
                    self._slow_clients[client] -= 1
                    if self._slow_clients[client] <= 0:
                        del self._slow_clients[client]
        self._retire(worker)
        raise QueryTimeout(f"the query ran longer than {limit:g}s and was stopped")

    def close(self) -> None:
        """Stop every worker, busy or idle, and the thread that starts them."""
        self._closed = True
        self._spawns.put(None)
        with self._lock:
            workers = list(self._live.values())
            self._live.clear()
        while True:
            try:
                workers.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for worker in {id(w): w for w in workers}.values():
            with contextlib.suppress(OSError, ValueError):
                worker.process.kill()
            worker.process.join(2)
            with contextlib.suppress(OSError):
                worker.conn.close()

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and the health page)."""
        with self._lock:
            return sorted(self._live)


def _renice(worker: _Worker, niceness: int) -> bool:
    """Set a worker's CPU priority; False if the system does not allow it (raising it back needs privilege).

    Every thread of it: Linux keeps a niceness per thread, and the query runs in a thread of its own
    (`_worker_main`, for a deep stack), so the worker's pid alone (its main thread, waiting) changed nothing.
    """
    pid = worker.process.pid or 0
    try:
        threads = [int(task) for task in os.listdir(f"/proc/{pid}/task")]
    except (OSError, ValueError):
        threads = [pid]  # no /proc: the process as the system defines it
    for thread in threads:
        try:
            os.setpriority(os.PRIO_PROCESS, thread, niceness)
        except ProcessLookupError:
            if thread == pid:
                return False  # the process is gone; a thread of it that just ended is no failure
        except (OSError, AttributeError):
            return False
    return True
