"""What the network keeps in memory: graphs within a size budget (graph.bounded.SizedCache), and the start-up heap frozen once the server is warm.

Why: on the real release, full garbage collections walking up to 128 cached organisation
networks (and the app's start-up heap) took 100-500 ms and landed on whichever first answer
allocated at that moment (bench/results/network.md). These tests check what is kept, never how
long anything takes.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import graph.network as network_module
from graph.bounded import SizedCache
from graph.builder.pipeline import Built
from graph.network import NetworkData, NetworkOptions, build_network, clear_cache, load_network_data
from graph.store import GraphStore
from tests.helpers import running_app
from webapp.app import WARM_UP_EXTENSION, settle

BASE = "https://w3id.org/uaeu/"


@pytest.fixture(scope="module")
def data(graph_store: GraphStore) -> NetworkData:
    return load_network_data(graph_store, base=BASE, release="test-cache")


@pytest.fixture
def fresh() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def test_a_sized_cache_drops_the_least_recently_used_past_its_budget() -> None:
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key * 3

    cache: SizedCache[str, str] = SizedCache(10, len)
    assert cache.get("a", lambda: make("a")) == "aaa"
    assert cache.get("b", lambda: make("b")) == "bbb"
    assert cache.get("c", lambda: make("c")) == "ccc"
    assert cache.held == 9 and len(cache) == 3
    assert cache.get("a", lambda: make("a")) == "aaa"  # a hit, and now the most recent
    assert made == ["a", "b", "c"]
    cache.get("d", lambda: make("d"))  # 12 > 10: the least recently used (b) goes
    assert "b" not in cache and "a" in cache and "c" in cache and "d" in cache
    assert cache.held == 9
    # the newest stays however big; everything older goes
    assert cache.get("huge", lambda: "x" * 50) == "x" * 50
    assert len(cache) == 1 and "huge" in cache and cache.held == 50
    cache.clear()
    assert len(cache) == 0 and cache.held == 0


def test_a_sized_cache_keeps_the_first_of_two_threads_that_made_the_same_value() -> None:
    cache: SizedCache[str, list[int]] = SizedCache(100, len)
    started = threading.Barrier(2)
    results: list[list[int]] = []

    def slow() -> list[int]:
        started.wait(timeout=10)
        return [1, 2]

    threads = [threading.Thread(target=lambda: results.append(cache.get("k", slow))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(results) == 2 and results[0] is results[1], "both callers get the one value the cache kept"
    assert cache.held == 2 and len(cache) == 1


def test_built_networks_are_kept_within_the_budget(data: NetworkData, fresh: None) -> None:
    budget = network_module.GRAPH_CACHE_BUDGET
    options = [NetworkOptions(kind="organisations", weighting=w, as_of=str(year)) for year in range(2017, 2025) for w in ("shared", "newman")]
    sizes = []
    for option in options:
        graph = build_network(data, option).graph
        sizes.append(graph.number_of_nodes() + graph.number_of_edges())
        assert network_module._BUILT.held <= budget or len(network_module._BUILT) == 1
    assert sum(sizes) > budget, "the test must ask for more than the budget holds"
    assert 1 <= len(network_module._BUILT) < len(options)
    # the newest is kept: asking again answers the very same object
    assert build_network(data, options[-1]) is build_network(data, options[-1])
    # an evicted one is computed again, equal to the first
    computed = sum(network_module.COMPUTED.values())
    first = build_network(data, options[0])
    assert sum(network_module.COMPUTED.values()) == computed + 1
    assert first.graph.number_of_nodes() + first.graph.number_of_edges() == sizes[0]


def test_settle_waits_for_the_warm_up_then_freezes_the_start_up_heap(built: Built, release_dir: Path) -> None:
    assert gc.get_freeze_count() == 0, "nothing else in the tests freezes the heap"
    try:
        with running_app(release_dir) as app:
            warm_up = app.extensions[WARM_UP_EXTENSION]
            assert isinstance(warm_up, threading.Thread)
            settle(app)
            assert not warm_up.is_alive(), "the warm-up finished before the heap was frozen"
            frozen = gc.get_freeze_count()
            assert frozen > 10_000, frozen
            assert app.test_client().get("/network.json?kind=countries").status_code == 200
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


def test_two_threads_asking_for_a_store_s_network_data_read_it_once(graph_store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """At start the warm-up and the first requests all ask for the network data: one reads it, the others wait for it."""
    clear_cache()
    entered, go = threading.Event(), threading.Event()
    calls: list[int] = []
    real = network_module.load_network_data

    def slow_load(*args: Any, **kwargs: Any) -> NetworkData:
        calls.append(1)
        entered.set()
        go.wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(network_module, "load_network_data", slow_load)
    found: list[NetworkData] = []
    threads = [threading.Thread(target=lambda: found.append(network_module.network_data(graph_store, base=BASE, release="once"))) for _ in range(3)]
    threads[0].start()
    assert entered.wait(timeout=30)
    for thread in threads[1:]:
        thread.start()
    time.sleep(0.3)  # the others are now waiting (had they read it too, they would be blocked in slow_load, counted)
    go.set()
    for thread in threads:
        thread.join(timeout=60)
    assert len(calls) == 1 and len(found) == 3
    assert found[0] is found[1] is found[2] and len(found[0].memberships) > 100
    clear_cache()


def test_two_requests_for_the_same_new_page_data_compute_it_once(built: Built, release_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second of two simultaneous first requests for a network waits for the first one's answer (the same bytes)."""
    views = sys.modules["webapp.views.network"]
    clear_cache()
    entered, go = threading.Event(), threading.Event()
    calls: list[NetworkOptions] = []
    real = views.build_network

    def slow_build(data: NetworkData, options: NetworkOptions) -> Any:
        calls.append(options)
        entered.set()
        go.wait(timeout=30)
        return real(data, options)

    url = "/network.json?kind=organisations&weighting=jaccard&theme=housing&as_of=2019"
    with running_app(release_dir) as app:
        settle_warm_up = app.extensions[WARM_UP_EXTENSION]
        settle_warm_up.join(timeout=120)
        monkeypatch.setattr(views, "build_network", slow_build)
        bodies: list[bytes] = []

        def ask() -> None:
            response = app.test_client().get(url)
            assert response.status_code == 200
            bodies.append(response.get_data())

        first = threading.Thread(target=ask)
        first.start()
        assert entered.wait(timeout=30)
        second = threading.Thread(target=ask)
        second.start()
        time.sleep(0.3)
        go.set()
        first.join(timeout=60)
        second.join(timeout=60)
    assert len(calls) == 1, "the second request computed the same network beside the first"
    assert len(bodies) == 2 and bodies[0] == bodies[1] and b'"nodes"' in bodies[0]
    clear_cache()
