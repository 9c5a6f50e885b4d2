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

import sys
from typing import TYPE_CHECKING

from graph.bounded import BoundedCache, CacheStats

if TYPE_CHECKING:
    from graph.sparql.executor import QueryOutcome, QueryRequest

Key = tuple[object, ...]

#: What one entry costs besides its key and body (the outcome object, the dictionary slot).
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


def held_bytes(value: object) -> int:
    """The memory a key holds: every tuple and string in it, measured (a client chooses its text and its
    graph parameters, thousands of them in one request body, so counting only the text let a 64 MiB budget
    hold gigabytes of keys)."""
    if isinstance(value, tuple):
        return sys.getsizeof(value) + sum(held_bytes(part) for part in value)
    return 0 if value is None else sys.getsizeof(value)


class AnswerCache:
    """Kept answers by their request, within `max_bytes` (graph.bounded: least recently used dropped first)."""

    def __init__(self, max_bytes: int) -> None:
        self._kept: BoundedCache[Key, QueryOutcome] = BoundedCache(max_bytes)
        self.max_entry_bytes = self._kept.max_entry_bytes

    def get(self, request: QueryRequest) -> QueryOutcome | None:
        return self._kept.get(request_key(request)) if self._kept.max_bytes else None

    def put(self, request: QueryRequest, outcome: QueryOutcome) -> bool:
        """Keep `outcome` if it may be reused (complete, successful, deterministic) and fits; True if kept."""
        if not self._kept.max_bytes or outcome.status != "ok" or not outcome.reusable:
            return False
        key = request_key(request)
        return self._kept.put(key, outcome, len(outcome.body) + held_bytes(key) + ENTRY_OVERHEAD)

    def stats(self) -> CacheStats:
        return self._kept.stats()
