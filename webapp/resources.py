"""What the app serves, typed: one `Resources` record per app, made by `create_app`, read by the views.

Views call the accessors below (`store()`, `executor()`, `app_settings()`, ...) instead of looking
up string keys in `current_app.config` or `current_app.extensions`. Everything here is fixed for the
life of the app: it serves one pinned release, so the work proportional to the data (the label
index, the dumps listing and VoID counts, the map per language) is done once and kept here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from flask import Flask, current_app

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

    @property
    def release_id(self) -> str:
        return str(self.report["release"])


def install(app: Flask, resources: Resources) -> None:
    app.extensions[KEY] = resources


def resources(app: Flask | None = None) -> Resources:
    """The app's resources (the current app's inside a request or app context)."""
    found: Resources = (app or current_app).extensions[KEY]
    return found


def settings() -> Settings:
    return resources().settings


def app_settings() -> AppSettings:
    return resources().app_settings


def store() -> GraphStore:
    return resources().store


def executor() -> Executor:
    return resources().executor


def current_release() -> Release | None:
    """The served release's folder in this build folder (None when served from a remote server without a local copy)."""
    return resources().release


def release_id() -> str:
    return resources().release_id


def public_url() -> str:
    """The configured public URL (ends with /): every link and redirect starts with it, never with the request's Host."""
    return resources().app_settings.public_url


def base() -> str:
    """The base of every IRI in the data."""
    return resources().settings.base
