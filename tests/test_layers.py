"""The import rules of docs/architecture.md, checked: each import runs in a fresh interpreter and its
`sys.modules` is inspected, so one module importing another transitively is caught too.

- `graph` never imports Flask (nor werkzeug): it is the library under the web app and the CLI.
- The serving layers, `graph.store` and `graph.sparql` (what a query worker loads), never import
  the build (`graph.builder`, PyYAML, pySHACL): serving a release needs none of the curated-data code.
- `graph.network` and `graph.map` read through the store, so they do not need the build either.
- The `uaeu` command's own import loads neither Flask nor the build: every query worker of
  `uaeu serve` re-imports it as its main module.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import graph
from graph.config import PROJECT_ROOT

BUILD = ("graph.builder", "yaml", "pyshacl")
FLASK = ("flask", "werkzeug")


def loaded_after(statement: str) -> set[str]:
    """Every module in sys.modules after running `statement` in a fresh interpreter."""
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


def offending(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden))


def graph_modules(package: str = "graph") -> list[str]:
    module = __import__(package, fromlist=["__path__"])
    return [package, *sorted(info.name for info in pkgutil.walk_packages(module.__path__, package + "."))]


def test_the_graph_library_never_imports_flask() -> None:
    everything = graph_modules()
    assert len(everything) > 40, "walked the whole package"
    assert offending(loaded_after("\n".join(f"import {m}" for m in everything)), FLASK) == []


@pytest.mark.parametrize(
    "package", ["graph", "graph.store", "graph.sparql", "graph.queries", "graph.network", "graph.map", "graph.release", "graph.archive", "graph.formats"]
)
def test_serving_layers_never_import_the_build(package: str) -> None:
    modules = graph_modules(package) if package in ("graph.store", "graph.sparql") else [package]
    assert offending(loaded_after("\n".join(f"import {m}" for m in modules)), BUILD + FLASK) == []


def test_a_query_worker_loads_no_build_and_no_web_framework() -> None:
    """What `graph.sparql.executor._worker_main` imports, with the console script as main module (as under `uaeu serve`)."""
    worker = "import webapp.cli, graph.sparql.executor, graph.sparql.sandbox, graph.store.embedded, graph.sparql.guard, graph.sparql.results"
    worker += ", rdflib.plugins.sparql.parser"
    loaded = loaded_after(worker)
    assert offending(loaded, BUILD + FLASK + ("SPARQLWrapper", "networkx")) == []
    assert "rdflib.plugins.sparql.parser" in loaded, "the guard's real parse runs inside the worker"


def test_the_build_is_a_layer_of_its_own() -> None:
    """The build may use the kernel, never the serving layers or the web app."""
    loaded = loaded_after("import graph.builder.pipeline, graph.builder.gazetteer, graph.builder.coverage")
    assert offending(loaded, ("graph.store", "graph.sparql", "graph.network", "graph.map", "webapp", *FLASK)) == []


def test_the_package_list_covers_every_graph_module() -> None:
    """A new module under graph/ is imported by the checks above without being listed."""
    assert {m.split(".")[1] for m in graph_modules() if m.count(".") >= 1} >= {"builder", "store", "sparql", "queries", "network", "map", "release", "config"}
    assert graph.__version__
