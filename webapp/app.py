"""The application factory: one app over one pinned release (local or pushed to a remote server)."""

from __future__ import annotations

import atexit
import gc
from typing import NoReturn
from urllib.parse import urlsplit

from flask import Flask, Request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import RequestRedirect

from graph.archive import pin, unpin
from graph.config import Settings
from graph.release import Release
from graph.sparql.executor import QueryExecutor
from graph.sparql.remote import RemoteExecutor
from graph.store import GraphStore
from graph.store.embedded import EmbeddedStore
from webapp import archive, plumbing
from webapp.resources import Executor, Resources, install, resources
from webapp.settings import AppSettings

#: Where the app keeps its network warm-up thread (`settle` waits for it).
WARM_UP_EXTENSION = "uaeu.network_warm_up"


class PublicFlask(Flask):
    """Flask whose own redirects (merged slashes, a missing trailing slash) go to the public URL.

    Werkzeug builds those from the request's Host header; a visitor controls that header, so a
    redirect built from it could send the next reader anywhere. Ours never are.
    """

    def raise_routing_exception(self, request: Request) -> NoReturn:
        error = request.routing_exception
        if isinstance(error, RequestRedirect):
            target = urlsplit(error.new_url)
            path = target.path
            root = request.environ.get("uaeu.script_name", request.script_root)  # under /releases/{id}/ (webapp.archive), the redirect stays there
            if root and path.startswith(root):
                path = path[len(root) :]
            public = resources(self).app_settings.public_url
            raise RequestRedirect(public + path.lstrip("/") + (f"?{target.query}" if target.query else ""))
        super().raise_routing_exception(request)


def create_app(
    settings: Settings | None = None,
    app_settings: AppSettings | None = None,
    executor: Executor | None = None,
    store: GraphStore | None = None,
) -> Flask:
    """Build the app over `store` (default: the current release of `settings.build_dir`, in memory).

    Every page, API, VoID count, the network and the map read through `store`, so the same code
    serves an embedded store (memory or disk) and a remote SPARQL server (kind `sparql`).

    The release is pinned here, once: the store holds one release, and every query worker (those
    that replace a killed one too), the dumps, VoID, /version and the pages read that release,
    whose folder never changes. A later `uaeu build` makes another release current for the next
    start; this app goes on serving the one it started with.
    """
    settings = settings or Settings.from_env()
    app_settings = app_settings or AppSettings.from_env()
    release: Release | None = None
    if store is None:
        release = Release.open(settings.build_dir)  # raises NoRelease (a FileNotFoundError) without a build
        store = EmbeddedStore.in_memory(release, base=settings.base)
    report = store.release()
    if report is None:
        where = getattr(store, "endpoint", store.kind)
        raise RuntimeError(f"no release on {where}: run 'uaeu push --endpoint {where}' first" if store.kind == "sparql" else f"no release in the {where} store")
    if release is None:
        # The dumps are served (and, for an embedded store, the workers load) this build
        # folder's copy of the store's release, current or not.
        release = Release.find(settings.build_dir, str(report.get("release")))
    if executor is None:
        executor = _executor(store, release, app_settings)

    app = PublicFlask(__name__)
    if app_settings.proxy_hops:
        # Behind N trusted reverse proxies, the client (for per-client query limits) is in X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app_settings.proxy_hops)  # type: ignore[method-assign]  # Flask's documented way to wrap the WSGI app
    app.config["MAX_CONTENT_LENGTH"] = app_settings.max_query_bytes * 4
    served = Resources(settings, app_settings, store, executor, report, release)
    install(app, served)
    plumbing.install(app)
    archive.install(app, served)  # after plumbing: its ETags are set before compression
    if release is not None:
        # `uaeu prune` leaves a release alone while a live server pins it.
        atexit.register(unpin, pin(settings.build_dir, release))

    from webapp import kept
    from webapp.links import install_language, kind_of, local_url
    from webapp.search import LabelIndex
    from webapp.views import BLUEPRINTS
    from webapp.views.dumps import prepare
    from webapp.views.indexes import list_kinds
    from webapp.views.network import start_warm_up

    install_language(app)
    # A remote store may be changed under us (another push): its pages are rendered each time, as its answers are.
    kept.install(app, app_settings.page_cache_bytes if store.kind != "sparql" else 0)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    # Work proportional to the data, once per release: the label index, the dumps listing and VoID counts.
    with app.app_context():
        served.labels = LabelIndex.build(store, settings.base, local_url, kind_of)
        served.served = prepare(served)
        served.lists = list_kinds()
    # The partner network's default networks and layouts are built in the background, so the
    # server answers at once and the first /network request finds them ready.
    app.extensions[WARM_UP_EXTENSION] = start_warm_up(app)
    return app


def settle(app: Flask) -> None:
    """Once the app's start-up work is done, take what it made out of the garbage collector's walks (`gc.freeze`).

    Why: a full collection walks every container object alive. After start the app holds some
    70,000 of them (modules, the label index, the release's resources, the network warm-up) that
    live as long as the process; walking them again on each full collection added 30-100 ms to
    whichever request happened to trigger it (bench/results/network.md). Frozen objects are never
    walked again, nor collected: right for a process that serves one app until it stops, as
    `uaeu serve` does (it calls this in the background once the network warm-up is done), wrong
    for one that creates many apps (the tests), which therefore never call it.
    """
    warm_up = app.extensions.get(WARM_UP_EXTENSION)
    if warm_up is not None:
        warm_up.join()
    gc.collect()
    gc.freeze()


def _executor(store: GraphStore, release: Release | None, app_settings: AppSettings) -> Executor:
    """Where user SPARQL runs: workers holding the release, or (remote) workers that only check it first."""
    if store.kind == "sparql":
        # User queries are still checked by the sandboxed workers (here without a store of
        # their own) before they go to the remote server.
        checker = QueryExecutor(None, limits=app_settings.pool_limits())
        atexit.register(checker.close)
        return RemoteExecutor(store, checker)
    if release is None:
        raise RuntimeError("the store holds a release this build folder does not have; the query workers need its dumps")
    pool = QueryExecutor(release.dumps, limits=app_settings.pool_limits())
    atexit.register(pool.close)
    return pool
