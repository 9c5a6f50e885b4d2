"""Settings of the web app, each with an environment variable and a documented default."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


@dataclass(frozen=True)
class AppSettings:
    """What the public endpoint allows, and where it says it lives."""

    public_url: str = "http://127.0.0.1:5000/"
    query_timeout: float = 10.0
    row_cap: int = 10_000
    max_query_bytes: int = 64 * 1024
    query_workers: int = 2

    @classmethod
    def from_env(cls, public_url: str | None = None) -> AppSettings:
        url = os.environ.get("UAEU_PUBLIC_URL") or public_url or cls.public_url
        return cls(
            public_url=url if url.endswith("/") else url + "/",
            query_timeout=_float("UAEU_QUERY_TIMEOUT", cls.query_timeout),
            row_cap=_int("UAEU_ROW_CAP", cls.row_cap),
            max_query_bytes=_int("UAEU_MAX_QUERY_BYTES", cls.max_query_bytes),
            query_workers=_int("UAEU_QUERY_WORKERS", max(2, os.cpu_count() or 2)),
        )
