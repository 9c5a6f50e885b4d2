"""A map that keeps at most so many bytes, dropping the least recently used entry first; safe across threads.

Kept answers to SPARQL (graph.sparql.answers) and kept pages (webapp.kept) both hold results that
cannot change (a release is immutable) and must never grow without bound; each says what an entry
costs.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
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
