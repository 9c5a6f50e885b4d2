"""A cache of built networks bounded by how big they are (nodes + edges), not by how many.

Why: a networkx graph is thousands of small container objects (an attribute dict and a spells list
per edge), and Python's garbage collector walks every one of them on each full collection. With up
to 128 organisation networks kept alive, those collections took 100-500 ms on the real release, and
landed on whichever request happened to allocate at that moment (bench/results/network.md). What a
visitor gets back is cached as bytes (page data, exports), which the collector never walks; the
graphs are kept only for what asks for them again soon (another format, an ego network, a path),
within a budget. The newest graph is always kept, however big.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SizedCache(Generic[K, V]):
    """Least recently used first out, while the sizes held add up to more than `budget`."""

    def __init__(self, budget: int, size: Callable[[V], int]) -> None:
        self.budget = budget
        self._size = size
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, key: K, make: Callable[[], V]) -> V:
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
