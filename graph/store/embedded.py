"""The embedded backends: pyoxigraph in this process, in memory (default) or on disk.

Both hold the layout `load_store` gives a release: the union dump in the default graph and every
source graph by name, so the default graph never repeats a triple once per source.
(pyoxigraph's `use_default_graph_as_union` would repeat a triple once per graph that holds it, so
counts would be wrong; an explicit union graph avoids that.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.release import NoRelease, Release, dump_path
from graph.store.base import Bindings, GraphStore, QueryError, Row


def load_store(dumps: Path) -> ox.Store:
    """An in-memory store from a release's dumps folder: the union as default graph, plus every named graph."""
    store = ox.Store()
    store.bulk_load(path=str(dump_path(dumps, "nq")), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(path=str(dump_path(dumps, "nt")), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return store


def _report(build_dir: Path | None) -> dict[str, Any] | None:
    if build_dir is None:
        return None
    try:
        return dict(Release.open(build_dir).report)
    except NoRelease:
        return None


class EmbeddedStore(GraphStore):
    """A pyoxigraph store in this process; bindings go through pyoxigraph's substitutions."""

    def __init__(self, store: ox.Store, *, kind: str = "memory", build_dir: Path | None = None, base: str | None = None) -> None:
        self.store = store
        self.kind = kind
        self.base = base
        self._report = _report(build_dir)

    @classmethod
    def in_memory(cls, build_dir: Path, base: str | None = None) -> EmbeddedStore:
        """The current release of `build_dir` loaded into memory (what `uaeu serve` uses by default)."""
        release = Release.open(build_dir)
        embedded = cls(load_store(release.dumps), kind="memory", base=base)
        embedded._report = dict(release.report)
        return embedded

    @classmethod
    def on_disk(cls, path: Path, build_dir: Path | None = None, base: str | None = None) -> EmbeddedStore:
        """A RocksDB store at `path`; loaded from `build_dir` when empty, reopened as is otherwise.

        Reopening skips the load, which is what makes restarts fast on large builds; a new
        release goes into a new folder (or an emptied one), never over a store in use.
        """
        path.mkdir(parents=True, exist_ok=True)
        store = ox.Store(str(path))
        if build_dir is not None and len(store) == 0:
            release = Release.open(build_dir)
            store.bulk_load(path=str(release.dump("nq")), format=ox.RdfFormat.N_QUADS)
            store.bulk_load(path=str(release.dump("nt")), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
            store.flush()
            (path / "uaeu-report.json").write_text(release.report_json.read_text(encoding="utf-8"), encoding="utf-8")
        report = _report(None)
        if (path / "uaeu-report.json").exists():
            report = json.loads((path / "uaeu-report.json").read_text(encoding="utf-8"))
        embedded = cls(store, kind="disk", base=base)
        embedded._report = report
        return embedded

    def _run(self, query: str, bindings: Bindings | None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        substitutions = {ox.Variable(name.lstrip("?$")): term for name, term in (bindings or {}).items()}
        try:
            return self.store.query(query, base_iri=self.base, substitutions=substitutions)
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax error: {err}") from None
        except RuntimeError as err:  # e.g. a substitution for a variable the query does not project
            raise QueryError(str(err)) from None

    def select(self, query: str, bindings: Bindings | None = None) -> list[Row]:
        result = self._run(query, bindings)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("not a SELECT query")
        names = [v.value for v in result.variables]
        return [{name: term for name in names if (term := solution[name]) is not None} for solution in result]  # type: ignore[misc]

    def ask(self, query: str, bindings: Bindings | None = None) -> bool:
        result = self._run(query, bindings)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("not an ASK query")
        return bool(result)

    def construct(self, query: str, bindings: Bindings | None = None) -> list[ox.Triple]:
        result = self._run(query, bindings)
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("not a CONSTRUCT or DESCRIBE query")
        return list(result)

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def release(self) -> dict[str, Any] | None:
        return self._report

    def close(self) -> None:
        if self.kind == "disk":
            self.store.flush()
        del self.store
