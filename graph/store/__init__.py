"""Stores: one interface (`GraphStore`), three backends, chosen by `open_store`.

- `memory` (default): a release loaded into pyoxigraph in this process (`embedded.EmbeddedStore`);
- `disk`: a pyoxigraph RocksDB store, loaded once from a release and reopened after;
- `sparql`: any SPARQL 1.1 server holding a release written by `uaeu push` (`remote.RemoteStore`).

Callers get the same rows, booleans and triples from each, the same default-graph semantics
(the union of the release's graphs, each triple once), and two error types to handle:
`QueryError` (the caller's query) and `StoreUnavailable` (try again later: HTTP 503).
`push` writes a release to a SPARQL server. Nothing here imports `graph.builder`, and the backends
are imported when asked for, so a query worker that needs only `load_store` loads no HTTP client.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.store.base import Bindings, GraphStore, QueryError, Result, Row, Solutions, StoreError, StoreUnavailable, Term

KINDS = ("memory", "disk", "sparql")

__all__ = ["KINDS", "Bindings", "GraphStore", "QueryError", "Result", "Row", "Solutions", "StoreError", "StoreUnavailable", "Term", "open_store"]


def open_store(kind: str = "memory", *, build_dir: Path | None = None, path: Path | None = None, endpoint: str | None = None, **options: Any) -> GraphStore:
    """A store of `kind` holding one release.

    - `memory`: the current release of `build_dir`, pinned and loaded into memory;
    - `disk`: a RocksDB store at `path` (default: the release's folder under `build_dir`'s stores/),
      loaded from the current release of `build_dir` when empty, reopened as is otherwise;
    - `sparql`: the release pushed to the server whose query URL is `endpoint`.

    `options` go to `RemoteStore` (timeout, user, password, manifest_ttl, base) or, for the
    embedded kinds, `base` (the base IRI for relative IRIs in queries).
    """
    if kind in ("memory", "disk"):
        from graph.release import Release, store_folder
        from graph.store.embedded import EmbeddedStore

        if build_dir is None:
            raise ValueError(f"the {kind} store needs a build folder")
        release = Release.open(build_dir)  # pinned: the store and its report come from this one release
        if kind == "memory":
            return EmbeddedStore.in_memory(release, **options)
        return EmbeddedStore.on_disk(path or store_folder(build_dir, release), release, **options)
    if kind == "sparql":
        from graph.store.remote import RemoteStore

        if not endpoint:
            raise ValueError("the sparql store needs --endpoint (the server's SPARQL query URL)")
        return RemoteStore(endpoint, **options)
    raise ValueError(f"unknown store kind {kind!r}; choose one of {', '.join(KINDS)}")
