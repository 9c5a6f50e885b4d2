"""Settings of the web app, each with an environment variable and a documented default."""

from __future__ import annotations

import os
from dataclasses import dataclass

from graph.sparql.executor import PoolLimits


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass(frozen=True)
class AppSettings:
    """What the public endpoint allows, and where it says it lives (README, "Security and limits")."""

    public_url: str = "http://127.0.0.1:5000/"
    query_timeout: float = 10.0
    row_cap: int = 10_000
    max_query_bytes: int = 64 * 1024
    max_query_depth: int = 64
    query_workers: int = 4
    queries_per_client: int = 2
    query_queue: int = 8
    slow_query_after: float = 1.0
    slow_query_slots: int | None = None
    cooldown_after_stop: float = 10.0
    spare_workers: int = 1
    proxy_hops: int = 0
    client_seconds_per_minute: float = 30.0
    query_network_max_nodes: int = 500
    max_result_bytes: int = 32 * 1024 * 1024
    #: Archived releases kept loaded (in the server, and in each query worker), least recently used dropped.
    release_cache: int = 3
    #: The permalink store (SQLite); "" means permalinks.sqlite3 in the build folder, beside the releases.
    permalinks: str = ""
    max_cite_bytes: int = 5 * 1024 * 1024
    cites_per_minute: int = 10
    #: Answers to user SPARQL kept for reuse (bytes; 0: none): a release never changes (graph.sparql.answers).
    answer_cache_bytes: int = 64 * 1024 * 1024
    #: Rendered resource pages kept (bytes; 0: none): see webapp.kept.
    page_cache_bytes: int = 32 * 1024 * 1024

    @classmethod
    def from_env(cls, public_url: str | None = None) -> AppSettings:
        url = os.environ.get("UAEU_PUBLIC_URL") or public_url or cls.public_url
        slots = os.environ.get("UAEU_SLOW_QUERY_SLOTS")
        return cls(
            public_url=url if url.endswith("/") else url + "/",
            query_timeout=_float("UAEU_QUERY_TIMEOUT", cls.query_timeout),
            row_cap=_int("UAEU_ROW_CAP", cls.row_cap),
            max_query_bytes=_int("UAEU_MAX_QUERY_BYTES", cls.max_query_bytes),
            max_query_depth=_int("UAEU_MAX_QUERY_DEPTH", cls.max_query_depth),
            query_workers=_int("UAEU_QUERY_WORKERS", max(cls.query_workers, 2 * (os.cpu_count() or 2))),
            queries_per_client=_int("UAEU_QUERIES_PER_CLIENT", cls.queries_per_client),
            query_queue=_int("UAEU_QUERY_QUEUE", cls.query_queue),
            slow_query_after=_float("UAEU_SLOW_QUERY_AFTER", cls.slow_query_after),
            slow_query_slots=int(slots) if slots else None,
            cooldown_after_stop=_float("UAEU_COOLDOWN_AFTER_STOP", cls.cooldown_after_stop),
            spare_workers=_int("UAEU_SPARE_WORKERS", cls.spare_workers),
            proxy_hops=_int("UAEU_PROXY_HOPS", cls.proxy_hops),
            client_seconds_per_minute=_float("UAEU_CLIENT_SECONDS_PER_MINUTE", cls.client_seconds_per_minute),
            query_network_max_nodes=_int("UAEU_QUERY_NETWORK_MAX_NODES", cls.query_network_max_nodes),
            max_result_bytes=_int("UAEU_MAX_RESULT_BYTES", cls.max_result_bytes),
            release_cache=max(1, _int("UAEU_RELEASE_CACHE", cls.release_cache)),
            permalinks=os.environ.get("UAEU_PERMALINKS", cls.permalinks),
            max_cite_bytes=_int("UAEU_MAX_CITE_BYTES", cls.max_cite_bytes),
            cites_per_minute=_int("UAEU_CITES_PER_MINUTE", cls.cites_per_minute),
            answer_cache_bytes=max(0, _int("UAEU_ANSWER_CACHE_BYTES", cls.answer_cache_bytes)),
            page_cache_bytes=max(0, _int("UAEU_PAGE_CACHE_BYTES", cls.page_cache_bytes)),
        )

    def pool_limits(self) -> PoolLimits:
        return PoolLimits(
            workers=self.query_workers,
            timeout=self.query_timeout,
            per_client=self.queries_per_client,
            queue=self.query_queue,
            slow_after=self.slow_query_after,
            slow_slots=self.slow_query_slots,
            cooldown=self.cooldown_after_stop,
            spares=self.spare_workers,
            max_bytes=self.max_query_bytes,
            max_depth=self.max_query_depth,
            max_result_bytes=self.max_result_bytes,
            client_seconds=self.client_seconds_per_minute,
            releases=max(1, self.release_cache),
            answer_cache_bytes=self.answer_cache_bytes,
        )
