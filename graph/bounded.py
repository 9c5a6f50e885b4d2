"""A map that keeps at most so many bytes, dropping the least recently used entry first; safe across threads.

Kept answers to SPARQL (graph.sparql.answers) and kept pages (webapp.kept) both hold results that
cannot change (a release is immutable) and must never grow without bound; each says what an entry
costs. `SizedCache` does the same for values made on first use (built networks), by any measure of size.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class CacheStats:
    entries: int
    bytes: int
    hits: int
    misses: int


class BoundedCache(Generic[K, V]):
    """At most `max_bytes` of entries (each one at most a sixteenth of it); 0 keeps nothing."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max(0, max_bytes)
        self.max_entry_bytes = self.max_bytes // 16
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        if not self.max_bytes:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return found[0]

    def put(self, key: K, value: V, size: int) -> bool:
        """Keep `value` (costing `size` bytes) if it fits; True if kept."""
        if not self.max_bytes or size > self.max_entry_bytes:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return True

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(len(self._entries), self._bytes, self._hits, self._misses)


H = TypeVar("H", bound=Hashable)


class SizedCache(Generic[H, V]):
    """Values made on first use and kept while their sizes add up to `budget`, least recently used out first; the newest always kept.

    For built networks (graph.network), sized by nodes + edges. Why by size and not by count: a
    networkx graph is thousands of small container objects (an attribute dict and a spells list
    per edge), and Python's garbage collector walks every one of them on each full collection.
    With up to 128 organisation networks kept alive, those collections took 100-500 ms on the real
    release, landing on whichever request allocated at that moment (bench/results/network.md).
    What a visitor gets back is cached as bytes, which the collector never walks; the graphs are
    kept only for what asks for them again soon (another format, an ego network, a path). Unlike
    BoundedCache, an entry bigger than the budget is still kept (alone): recomputing the network
    a visitor just asked for, for its next download, costs more than holding it.
    """

    def __init__(self, budget: int, size: Callable[[V], int]) -> None:
        self.budget = budget
        self._size = size
        self._items: OrderedDict[H, tuple[V, int]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, key: H, make: Callable[[], V]) -> V:
        """The cached value for `key`, or `make()` cached (two threads may both make it; the first one kept wins)."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found[0]
        value = make()
        size = max(0, self._size(value))
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found[0]
            self._items[key] = (value, size)
            self._held += size
            while self._held > self.budget and len(self._items) > 1:
                _, (_, dropped) = self._items.popitem(last=False)
                self._held -= dropped
        return value

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def held(self) -> int:
        """The sizes of what is cached, added up."""
        with self._lock:
            return self._held

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._held = 0
