"""Answers to user SPARQL kept by their exact request, because a release never changes.

A release is an immutable folder, and a query worker answers from exactly one release, so the same
query text with the same format, row cap, base, dataset and release always gets the same answer.
Gallery questions, permalinks, dashboards that refresh and people pressing Run again all repeat
texts; keeping their answers turns a worker round trip (guard, engine, writer, two pipes) into a
dictionary look-up. What is kept is bounded in bytes, least recently used dropped first.

Never kept: anything but a complete, successful answer; an answer whose query calls a function that
gives a new value on each run (`NOW`, `RAND`, `UUID`, `STRUUID`, `BNODE`: decided by the guard from
the parse tree, see `graph.sparql.guard.volatile`); an answer from a store the server does not own
(a remote SPARQL server may be changed under it, so `RemoteExecutor` answers are never marked
reusable); an answer larger than a sixteenth of the budget.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graph.sparql.executor import QueryOutcome, QueryRequest

Key = tuple[object, ...]

#: What one entry costs besides its text and body (the key tuple, the outcome, the dictionary slot).
ENTRY_OVERHEAD = 512


def request_key(request: QueryRequest) -> Key:
    """Everything a worker's answer depends on: the text and the choices around it, and the release."""
    return (
        request.query,
        request.results_format,
        request.graph_format,
        request.row_cap,
        request.base_iri,
        tuple(request.prefixes.items()),
        request.default_graphs,
        request.named_graphs,
        request.known_graphs,
        request.dumps,
        request.links,
    )


@dataclass(frozen=True)
class CacheStats:
    entries: int
    bytes: int
    hits: int
    misses: int


class AnswerCache:
    """A byte-bounded, least-recently-used map from a query request to its answer; safe across threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, max_bytes)
        self.max_entry_bytes = self.max_bytes // 16
        self._entries: OrderedDict[Key, tuple[QueryOutcome, int]] = OrderedDict()
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()

    def get(self, request: QueryRequest) -> QueryOutcome | None:
        if not self.max_bytes:
            return None
        key = request_key(request)
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return found[0]

    def put(self, request: QueryRequest, outcome: QueryOutcome) -> bool:
        """Keep `outcome` if it may be reused (complete, successful, deterministic) and fits; True if kept."""
        if not self.max_bytes or outcome.status != "ok" or not outcome.reusable:
            return False
        size = len(outcome.body) + len(request.query) * 4 + ENTRY_OVERHEAD
        if size > self.max_entry_bytes:
            return False
        key = request_key(request)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (outcome, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return True

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(len(self._entries), self._bytes, self._hits, self._misses)
