"""What the app serves, typed: one `Resources` record per app, made by `create_app`, read by the views.

A request may ask for another release (`release=`, `/releases/{id}/...`): `webapp.archive` then
puts that release's own `Resources` (loaded on demand, kept in a bounded cache) in `flask.g`, and
every accessor below answers from it, so no view needs to know which release it serves.

Views call the accessors below (`store()`, `executor()`, `app_settings()`, ...) instead of looking
up string keys in `current_app.config` or `current_app.extensions`. Everything here is fixed for the
life of the app: it serves one pinned release, so the work proportional to the data (the label
index, the dumps listing and VoID counts, the map per language) is done once and kept here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask, current_app, g, has_request_context

from graph.config import Settings
from graph.release import Release
from graph.sparql.executor import QueryOutcome, QueryRequest
from graph.store import GraphStore
from webapp.settings import AppSettings

if TYPE_CHECKING:
    from graph.map import MapData
    from webapp.search import LabelIndex
    from webapp.void import Served

KEY = "uaeu"


class Executor(Protocol):
    """Runs user SPARQL safely: the local worker pool (graph.sparql.executor) or its remote twin (graph.sparql.remote)."""

    @property
    def graphs(self) -> list[str]: ...

    def execute(self, request: QueryRequest, timeout: float | None = None, client: str = "") -> QueryOutcome: ...

    def close(self) -> None: ...


@dataclass
class Resources:
    settings: Settings
    app_settings: AppSettings
    #: The store every page, API and count reads (embedded or remote); it holds one release.
    store: GraphStore
    #: Where user SPARQL runs (sandboxed, killable workers).
    executor: Executor
    #: The served release's build report (release id, counts, ...).
    report: dict[str, Any]
    #: This build folder's copy of the served release (dumps, checksums); None when only a remote server has it.
    release: Release | None
    #: Made at start by the views that need them.
    served: Served | None = None
    labels: LabelIndex | None = None
    #: How many rows each list page (/partnerships, /organisations, /places, /events) shows, and of which kinds.
    lists: dict[str, dict[str, int]] = field(default_factory=dict)
    maps: dict[str, MapData] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: An archived release: the dumps folder the (shared) query workers answer it from, and its graphs.
    query_dumps: str | None = None
    query_graphs: list[str] | None = None

    @property
    def release_id(self) -> str:
        return str(self.report["release"])

    @property
    def release_folder(self) -> str:
        """The release's folder name: its id as a URL path segment (`+` is `_`)."""
        if self.release is not None:
            return self.release.folder.name
        from graph.release import folder_name

        return folder_name(self.release_id)


class ReleaseExecutor:
    """The pool, asked to answer from one release: the job names the release's dumps and carries its link."""

    def __init__(self, pool: Executor, dumps: str | None, links: tuple[str, ...], graphs: list[str] | None) -> None:
        self.pool, self.dumps, self.links, self._graphs = pool, dumps, links, graphs

    @property
    def graphs(self) -> list[str]:
        return self._graphs if self._graphs is not None else self.pool.graphs

    def execute(self, request: QueryRequest, timeout: float | None = None, client: str = "") -> QueryOutcome:
        return self.pool.execute(replace(request, dumps=self.dumps, links=self.links), timeout, client)

    def close(self) -> None:
        """The pool is the app's; it is not closed through one release's view of it."""


def install(app: Flask, resources: Resources) -> None:
    app.extensions[KEY] = resources


def resources(app: Flask | None = None) -> Resources:
    """What the current request is answered from: the release it chose, else the app's own (`latest`)."""
    if app is None and has_request_context():
        chosen: Resources | None = g.get("uaeu_release")
        if chosen is not None:
            return chosen
    found: Resources = (app or current_app).extensions[KEY]
    return found


def latest(app: Flask | None = None) -> Resources:
    """The app's own release (the one it started with), whatever the request chose."""
    found: Resources = (app or current_app).extensions[KEY]
    return found


def pinned() -> bool:
    """Did the request name its release (`release=`, `/releases/{id}/...`)? Its answer then never changes."""
    return has_request_context() and bool(g.get("uaeu_pinned", False))


def archived() -> bool:
    """Is the request answered from a release other than the app's own?"""
    return resources() is not latest()


def release_link() -> str:
    """The page of the release that answers this request."""
    return f"{site_url()}releases/{resources().release_folder}/"


def release_prefix() -> str:
    """`releases/{folder}/` when the request is answered from an archived release (links stay in it), else ""."""
    return f"releases/{resources().release_folder}/" if has_request_context() and archived() else ""


def settings() -> Settings:
    return resources().settings


def app_settings() -> AppSettings:
    return resources().app_settings


def store() -> GraphStore:
    return resources().store


def executor() -> Executor:
    """Where this request's user SPARQL runs: the app's workers, answering from the request's release."""
    served = resources()
    return ReleaseExecutor(served.executor, served.query_dumps, (release_link(),), served.query_graphs)


def current_release() -> Release | None:
    """The served release's folder in this build folder (None when served from a remote server without a local copy)."""
    return resources().release


def release_id() -> str:
    return resources().release_id


def public_url() -> str:
    """Where this request's links start (ends with /): the configured public URL, never the request's Host;
    under it, `releases/{folder}/` when the request is answered from an archived release, so links stay in that release."""
    return resources().app_settings.public_url + release_prefix()


def site_url() -> str:
    """The configured public URL itself (ends with /), whichever release answers the request."""
    return resources().app_settings.public_url


def base() -> str:
    """The base of every IRI in the data."""
    return resources().settings.base
