"""The application factory: one app over one pinned release (local or pushed to a remote server)."""

from __future__ import annotations

import atexit
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Request, Response
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import RequestRedirect

from graph.config import Settings
from graph.release import Release
from graph.sparql.executor import QueryExecutor
from graph.sparql.remote import RemoteExecutor, RemoteUnavailable
from graph.store import GraphStore, StoreUnavailable
from graph.store.embedded import EmbeddedStore
from webapp.settings import AppSettings


class PublicFlask(Flask):
    """Flask whose own redirects (merged slashes, a missing trailing slash) go to the public URL.

    Werkzeug builds those from the request's Host header; a visitor controls that header, so a
    redirect built from it could send the next reader anywhere. Ours never are.
    """

    def raise_routing_exception(self, request: Request) -> None:  # type: ignore[override]
        error = request.routing_exception
        if isinstance(error, RequestRedirect):
            target = urlsplit(error.new_url)
            path = target.path
            root = request.script_root
            if root and path.startswith(root):
                path = path[len(root) :]
            public = self.config["UAEU_APP_SETTINGS"].public_url
            raise RequestRedirect(public + path.lstrip("/") + (f"?{target.query}" if target.query else ""))
        super().raise_routing_exception(request)


def create_app(
    settings: Settings | None = None,
    app_settings: AppSettings | None = None,
    executor: QueryExecutor | None = None,
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
    app = PublicFlask(__name__)
    if app_settings.proxy_hops:
        # Behind N trusted reverse proxies, the client (for per-client query limits) is in X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app_settings.proxy_hops)  # type: ignore[method-assign]
    app.config["UAEU_SETTINGS"] = settings
    app.config["UAEU_APP_SETTINGS"] = app_settings
    app.config["MAX_CONTENT_LENGTH"] = app_settings.max_query_bytes * 4
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
    app.config["UAEU_RELEASE"] = release
    app.config["UAEU_REPORT"] = report
    if executor is None:
        if store.kind == "sparql":
            # User queries are still checked by the sandboxed workers (here without a store of
            # their own) before they go to the remote server.
            checker = QueryExecutor(None, limits=app_settings.pool_limits())
            atexit.register(checker.close)
            executor = RemoteExecutor(store, checker)  # type: ignore[assignment]
        else:
            if release is None:
                raise RuntimeError(f"the store holds release {report.get('release')}, which {settings.build_dir} does not have")
            executor = QueryExecutor(release.dumps, limits=app_settings.pool_limits())
            atexit.register(executor.close)
    app.extensions["uaeu_executor"] = executor
    # Pages and APIs run our own named queries in-process on this store (fast, no time limit
    # needed); user-written SPARQL only ever runs in the executor's killable workers.
    app.extensions["uaeu_store"] = store
    app.register_error_handler(StoreUnavailable, _unavailable)
    app.register_error_handler(RemoteUnavailable, _unavailable)
    release_id = str(app.config["UAEU_REPORT"]["release"])

    @app.after_request
    def _say_which_release(response: Response) -> Response:
        """Every answer names the release that gave it."""
        response.headers["X-Release"] = release_id
        return response

    from webapp.dumps_view import dumps as dumps_blueprint
    from webapp.home import home
    from webapp.linkeddata import linkeddata
    from webapp.map_view import map_view
    from webapp.network_view import network, start_warm_up
    from webapp.sparql import sparql

    app.register_blueprint(home)
    app.register_blueprint(sparql)
    app.register_blueprint(linkeddata)
    app.register_blueprint(dumps_blueprint)
    app.register_blueprint(network)
    app.register_blueprint(map_view)
    # The partner network's default networks and layouts are built in the background, so the
    # server answers at once and the first /network request finds them ready.
    start_warm_up(app)
    return app


def _unavailable(err: Exception) -> Response:
    """The remote store is down or slow: say so at once, and when to try again."""
    retry = getattr(err, "retry_after", 5)
    response = Response(f"the SPARQL store is unavailable: {err}\n", status=503, mimetype="text/plain")
    response.headers["Retry-After"] = str(retry)
    return response


def static_vendor_dir() -> Path:
    return Path(__file__).parent / "static" / "vendor"
