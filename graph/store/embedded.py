"""The embedded backends: pyoxigraph in this process, in memory (default) or on disk.

Both hold the layout `load_store` gives a release: the union dump in the default graph and every
source graph by name, so the default graph never repeats a triple once per source.
(pyoxigraph's `use_default_graph_as_union` would repeat a triple once per graph that holds it, so
counts would be wrong; an explicit union graph avoids that.)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.release import Release, dump_path
from graph.store.base import Bindings, GraphStore, QueryError, Result, Solutions, Term


def load_store(dumps: Path) -> ox.Store:
    """An in-memory store from a release's dumps folder: the union as default graph, plus every named graph."""
    store = ox.Store()
    store.bulk_load(path=str(dump_path(dumps, "nq")), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(path=str(dump_path(dumps, "nt")), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    return store


REPORT_FILE = "uaeu-report.json"  # a disk store's copy of the report of the release it holds


def _release(source: Release | Path) -> Release:
    return source if isinstance(source, Release) else Release.open(source)


class EmbeddedStore(GraphStore):
    """A pyoxigraph store in this process; bindings go through pyoxigraph's substitutions.

    `base` resolves relative IRIs in queries (our named queries write `<ontology#...>`); by
    default the base the release was built with (its report's `base`).
    """

    def __init__(self, store: ox.Store, *, kind: str = "memory", report: dict[str, Any] | None = None, base: str | None = None) -> None:
        self.store = store
        self.kind = kind
        self.base = base or (str(report["base"]) if report and report.get("base") else None)
        self._report = report

    @classmethod
    def in_memory(cls, source: Release | Path, base: str | None = None) -> EmbeddedStore:
        """A release (or the current release of a build folder) loaded into memory: what `uaeu serve` uses by default."""
        release = _release(source)
        return cls(load_store(release.dumps), kind="memory", report=dict(release.report), base=base)

    @classmethod
    def on_disk(cls, path: Path, source: Release | Path | None = None, base: str | None = None) -> EmbeddedStore:
        """A RocksDB store at `path`; loaded from `source` (a release, or a build folder's current one) when empty, reopened as is otherwise.

        Reopening skips the load, which is what makes restarts fast on large builds; a new
        release goes into a new folder (or an emptied one), never over a store in use.
        """
        path.mkdir(parents=True, exist_ok=True)
        store = ox.Store(str(path))
        if source is not None and len(store) == 0:
            release = _release(source)
            store.bulk_load(path=str(release.dump("nq")), format=ox.RdfFormat.N_QUADS)
            store.bulk_load(path=str(release.dump("nt")), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
            store.flush()
            (path / REPORT_FILE).write_text(release.report_json.read_text(encoding="utf-8"), encoding="utf-8")
        report = json.loads((path / REPORT_FILE).read_text(encoding="utf-8")) if (path / REPORT_FILE).exists() else None
        return cls(store, kind="disk", report=report, base=base)

    def query(self, query: str, bindings: Bindings | None = None, *, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = ()) -> Result:
        substitutions: dict[ox.Variable, Term | ox.Triple] = {ox.Variable(name.lstrip("?$")): term for name, term in (bindings or {}).items()}
        options: dict[str, Any] = {}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            result = self.store.query(query, base_iri=self.base, substitutions=substitutions, **options)
            if isinstance(result, ox.QueryBoolean):
                return bool(result)
            if isinstance(result, ox.QuerySolutions):
                names = [v.value for v in result.variables]
                return Solutions(names, ({name: term for name in names if (term := solution[name]) is not None} for solution in result))
            return list(result)
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax error: {err}") from None
        except RuntimeError as err:  # e.g. a substitution for a variable the query does not project
            raise QueryError(str(err)) from None

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def release(self) -> dict[str, Any] | None:
        return self._report

    def close(self) -> None:
        if self.kind == "disk":
            self.store.flush()
        del self.store
