"""Shared fixtures: one real build of the curated data, a store loaded from its dump, and one app over it per module.

A module that needs other app settings says so in a module-level `APP_SETTINGS` dict (AppSettings
fields); for an app of its own, a test uses `tests.helpers.make_app` / `running_app`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph.builder.pipeline import Built, build
from graph.config import PROJECT_ROOT, Settings
from graph.store import GraphStore
from graph.store.embedded import EmbeddedStore, load_store
from tests.helpers import running_app
from tests.servers import start_server

BASE = "https://w3id.org/uaeu/"
ID = BASE + "id/"


@pytest.fixture(scope="session")
def release_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("release") / "build"


@pytest.fixture(scope="session")
def built(release_dir: Path) -> Built:
    """The real curated data, built once for the whole session."""
    return build(Settings(build_dir=release_dir))


@pytest.fixture(scope="session")
def store(built: Built, release_dir: Path) -> ox.Store:
    return load_store(release_dir / "dumps")


@pytest.fixture(scope="session")
def graph_store(built: Built, store: ox.Store) -> GraphStore:
    """The session build behind the interface every page, API and the network read through."""
    return EmbeddedStore(store, report=built.report, base=BASE)


@pytest.fixture(scope="module")
def app(request: pytest.FixtureRequest, built: Built, release_dir: Path) -> Iterator[Flask]:
    """The web app over the session build, one per test module (its query workers stopped after the module)."""
    with running_app(release_dir, **getattr(request.module, "APP_SETTINGS", {})) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(built: Built, release_dir: Path) -> Iterator[str]:
    """A real `uaeu serve` of the session build on a free 127.0.0.1 port; its base URL (no trailing slash).

    For other settings (e.g. UAEU_QUERY_TIMEOUT) start your own with `tests.servers.start_server(release_dir, env)`.
    """
    with start_server(release_dir) as server:
        yield server.url


def select(store: ox.Store, query: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, str]]:
    """Run a SELECT over the union of graphs; rows as {variable: lexical value}."""
    substitutions = {ox.Variable(k): v for k, v in bindings.items()}
    solutions = store.query(query, base_iri=BASE, substitutions=substitutions)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Path]:
    """A private copy of data/ and ontology/ that a test may break."""
    shutil.copytree(PROJECT_ROOT / "data", tmp_path / "data")
    shutil.copytree(PROJECT_ROOT / "ontology", tmp_path / "ontology")
    yield tmp_path
