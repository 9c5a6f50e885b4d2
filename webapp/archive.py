"""Answering from any release of the archive, and the HTTP caching that immutability allows.

- **Which release** (`choose_release`, a `before_request` hook): `release=<id>` on any URL (or in
  a POST form's body, where SPARQL clients put every parameter), or the
  path forms `/releases/{id}/sparql`, `/releases/{id}/doc/...`, `/releases/{id}/api/...` (any
  door of the app under `/releases/{id}/`, rewritten by `ReleasePaths` before routing). The id
  is checked strictly (400), an unknown one is 404, a pruned one 410 naming its successor. The
  chosen release's `Resources` go in `flask.g`, so `webapp.resources.store()`, `executor()` and
  every other accessor answer from it.
- **Loaded on demand** (`ReleaseCache`): an archived release's store, label index, dumps listing
  and VoID counts are made on its first request and kept for the next ones, at most
  `UAEU_RELEASE_CACHE` releases, least recently used dropped; two first requests at once load it
  once. User SPARQL still runs in the app's sandboxed workers: the job names the release's dumps
  folder, and each worker keeps its own small LRU of loaded releases (graph.sparql.executor).
- **Caching** (`cache_headers`): a 200 GET answer gets a strong ETag (its body's SHA-256 with the
  release id, or the file checksum a download already has); pinned to a release it is
  `Cache-Control: public, max-age=31536000, immutable`, on the latest `no-cache` (revalidate).
  `If-None-Match` gets 304.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from flask import Flask, Response, current_app, g, render_template, request
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from graph.archive import BadReleaseId, Tombstone, lookup, parse_id
from graph.release import Release
from graph.store.embedded import EmbeddedStore
from webapp.resources import Resources, archived, latest, pinned, resources, site_url

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

KEY = "uaeu-archive"
#: Where the path form puts the release id it took off the path, for `choose_release`.
ENVIRON_KEY = "uaeu.release"
#: The SCRIPT_NAME before the path form added /releases/{id} to it (the app's own redirects keep the prefix).
SCRIPT_KEY = "uaeu.script_name"
RELEASE_ARG = "release"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
#: Segments under /releases/{id}/ that are the release's own pages (or the changes helper's), not doors of the app.
#: Endpoints that need only the release's store (and its workers), not its label index or VoID counts.
QUERY_ONLY = frozenset({"sparql.get", "sparql.post"})
#: Endpoints that belong to the code, not to a release (static files, the map's country shapes): their own caching rules stand.
CODE_ONLY = frozenset({"static", "favicon", "map.europe_shapes"})
OWN_SEGMENTS = frozenset({"", "index.json", "index.html", "void", "report.json", "report.md"})
#: First segments never rewritten: the archive itself and permalinks.
NOT_DOORS = frozenset({"releases", "releases.atom", "p"})


class ReleaseCache:
    """Loaded archived releases, at most `bound`, least recently used dropped; thread-safe, one load per release."""

    def __init__(self, bound: int, load: Callable[[Release], Resources]) -> None:
        self.bound = max(1, bound)
        self._load = load
        self._loaded: OrderedDict[str, Resources] = OrderedDict()
        self._loading: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        #: How many loads ran (for tests and the bench: two first requests at once count one).
        self.loads = 0

    def get(self, release: Release) -> Resources:
        key = release.folder.name
        while True:
            with self._lock:
                found = self._loaded.get(key)
                if found is not None:
                    self._loaded.move_to_end(key)
                    return found
                waiting = self._loading.get(key)
                if waiting is None:
                    done = self._loading[key] = threading.Event()
            if waiting is not None:
                waiting.wait()
                continue  # loaded now (or the load failed, and this request tries again)
            try:
                served = self._load(release)
                with self._lock:
                    self.loads += 1
                    self._loaded[key] = served
                    while len(self._loaded) > self.bound:
                        self._loaded.popitem(last=False)
                return served
            finally:
                with self._lock:
                    self._loading.pop(key, None)
                done.set()

    def loaded(self) -> list[str]:
        """Folder names of the loaded releases, least recently used first."""
        with self._lock:
            return list(self._loaded)


def cache(app: Flask | None = None) -> ReleaseCache:
    found: ReleaseCache = (app or current_app).extensions[KEY]
    return found


def _load(release: Release) -> Resources:
    """An archived release's store, and the graphs its queries may name: enough for /sparql (`complete` adds the rest)."""
    own = latest()
    store = EmbeddedStore.in_memory(release, base=own.settings.base)
    return Resources(
        own.settings,
        own.app_settings,
        store,
        own.executor,
        store.release() or release.report,
        release,
        query_dumps=str(release.dumps),
        query_graphs=store.graphs(),
    )


_completing = threading.Lock()


def _complete(served: Resources) -> bool:
    return served.served is not None


def complete(served: Resources) -> Resources:
    """What pages need besides the store (label index, dumps listing and VoID counts, list sizes), made once per loaded release."""
    if _complete(served):
        return served
    from webapp.links import kind_of, local_url
    from webapp.search import LabelIndex
    from webapp.views.dumps import prepare
    from webapp.views.indexes import list_kinds

    with _completing:
        if _complete(served):
            return served
        previous = g.get("uaeu_release")
        g.uaeu_release = served  # links, counts and lists are this release's while they are made
        try:
            served.labels = LabelIndex.build(served.store, served.settings.base, local_url, kind_of)
            served.lists = list_kinds()
            served.served = prepare(served)  # set last: it marks the release complete
        finally:
            g.uaeu_release = previous
    return served


# ---------------------------------------------------------------- which release


class ReleasePaths:
    """`/releases/{id}/{door}...` -> `/{door}...` with the id kept aside, for every door the app has.

    The release's own pages (`/releases/{id}/`, its void, report and changes) are left alone.
    """

    def __init__(self, app: Flask, wsgi_app: WSGIApplication) -> None:
        self.app, self.wsgi_app = app, wsgi_app

    def is_door(self, rest: str) -> bool:
        """Does `/{rest}` name one of the app's doors (not the archive's own pages, nor a permalink)?"""
        door = rest.split("/", 1)[0]
        if door in OWN_SEGMENTS or door.startswith("changes") or door in NOT_DOORS:
            return False
        try:
            endpoint, _ = self.app.url_map.bind("localhost").match("/" + rest, method="GET")
        except RequestRedirect:
            return True
        except MethodNotAllowed:
            return True
        except NotFound:
            return False
        return not str(endpoint).startswith("releases.")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if path.startswith("/releases/"):
            release, slash, rest = path[len("/releases/") :].partition("/")
            if slash and self.is_door(rest):
                # The prefix moves to SCRIPT_NAME, so the app's own links (url_for: the menu, static files,
                # a page's data URLs) stay under /releases/{id}/ too.
                script = environ.get("SCRIPT_NAME", "") + "/releases/" + release
                environ = {**environ, ENVIRON_KEY: release, "PATH_INFO": "/" + rest, "SCRIPT_NAME": script, SCRIPT_KEY: environ.get("SCRIPT_NAME", "")}
        return self.wsgi_app(environ, start_response)


def _wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.path.endswith(".json")
        or request.args.get("format") == "json"
        or (request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json")
    )


def refusal(status: int, message: str, gone: Tombstone | None = None) -> Response:
    """400/404/410 about a release: JSON for data clients, plain text on /sparql, else a page."""
    from webapp.links import choose_lang
    from webapp.plumbing import json_response, text_response
    from webapp.wording import ui

    successor = f"{site_url()}releases/{_folder(gone.replaced_by)}/" if gone is not None and gone.replaced_by else None
    if _wants_json():
        body: dict[str, Any] = {"status": status, "error": message}
        if gone is not None:
            body |= {"release": gone.id, "pruned": gone.pruned, "replaced_by": gone.replaced_by, "replaced_by_url": successor}
        return json_response(body, status)
    if request.path.startswith("/sparql"):
        return text_response(status, message + (f"; replaced by {gone.replaced_by} ({successor})" if gone is not None and gone.replaced_by else ""))
    lang, _ = choose_lang()
    page = render_template("releases/refused.html", status=status, message=message, gone=gone, successor=successor, lang=lang, t=ui(lang), public=site_url())
    return Response(page, status=status, mimetype="text/html")


def _folder(release_id: str) -> str:
    from graph.release import folder_name

    return folder_name(release_id)


def find(text: str) -> Release | Response:
    """The release a URL names (id or folder name), or the 400/404/410 to answer instead."""
    try:
        parse_id(text)
    except BadReleaseId as err:
        return refusal(400, str(err))
    found = lookup(latest().settings.build_dir, text)
    if found is None:
        own = latest()
        if own.release is None and text in (own.release_id, own.release_folder):
            return refusal(404, f"release {text} is served from a remote SPARQL server; this server has no copy of its files")
        return refusal(404, f"there is no release {text}; /releases/ lists them")
    if isinstance(found, Tombstone):
        after = f"; it was replaced by {found.replaced_by}" if found.replaced_by else ""
        return refusal(410, f"release {found.id} was pruned from the archive on {found.pruned}{after}", found)
    return found


def _form_release() -> list[str]:
    """`release` in a POST form's body (SPARQL clients send every parameter there): werkzeug keeps the body for the view."""
    if request.method != "POST" or request.mimetype != "application/x-www-form-urlencoded":
        return []
    body = request.get_data()
    if RELEASE_ARG.encode("ascii") + b"=" not in body:
        return []
    return [value for key, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True) if key == RELEASE_ARG]


def choose_release() -> Response | None:
    """The `before_request` hook: answer this request from the release it names, if it names one."""
    if request.endpoint in CODE_ONLY:
        return None
    text = request.environ.get(ENVIRON_KEY)
    if text is None:
        values = request.args.getlist(RELEASE_ARG) + _form_release()
        if not values:
            return None
        if len(values) > 1:
            return refusal(400, "name one release: 'release' is given more than once")
        text = values[0]
    own = latest()
    if text in (own.release_id, own.release_folder):
        g.uaeu_pinned = True
        return None
    found = find(text)
    if isinstance(found, Response):
        return found
    if own.store.kind == "sparql":
        return refusal(404, f"this server answers from a remote SPARQL server holding release {own.release_id} only")
    chosen = cache().get(found)
    g.uaeu_release = chosen if request.endpoint in QUERY_ONLY else complete(chosen)
    g.uaeu_pinned = True
    return None


def release_notice() -> dict[str, Any]:
    """For every page: which release answered, when it is not the latest (base.html shows it)."""
    if not archived():
        return {"release_notice": None}
    from webapp.links import choose_lang
    from webapp.wording import ui

    lang, _ = choose_lang()
    served = resources()
    words = ui(lang)
    return {
        "release_notice": {
            "text": words["release_not_latest"].format(release=served.release_id),
            "release_url": f"{site_url()}releases/{served.release_folder}/",
            "latest_text": words["release_latest"],
            "latest_url": _same_on_latest(),
        }
    }


def _same_on_latest() -> str:
    """This page on the latest release: the same path and parameters, without `release`."""
    from urllib.parse import urlencode

    rest = [(k, v) for k, v in request.args.items(multi=True) if k != RELEASE_ARG]
    return site_url() + request.path.lstrip("/") + (f"?{urlencode(rest)}" if rest else "")


# ---------------------------------------------------------------- caching


def cache_headers(response: Response) -> Response:
    """Strong ETags, Cache-Control by whether the release was named, and 304 on a matching If-None-Match.

    Static assets keep their own rules (plumbing.STATIC_MAX_AGE): they belong to the code, not to a release."""
    if request.method not in ("GET", "HEAD") or request.endpoint in CODE_ONLY or response.status_code not in (200, 304):
        return response
    response.headers["Cache-Control"] = IMMUTABLE if pinned() else REVALIDATE
    if response.status_code == 304:
        return response
    etag, _ = response.get_etag()
    if etag is None:
        if response.is_streamed and not response.direct_passthrough:
            # Written as it is made: the same request on the same (immutable) release gives the same answer.
            parts = [resources().release_id, request.path, request.query_string.decode("latin-1"), request.headers.get("Accept", "")]
            etag = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:40]
        elif response.direct_passthrough:
            return response  # a file without a checksum (e.g. SHA256SUMS): send_file's own validators stand
        else:
            digest = hashlib.sha256(resources().release_id.encode("utf-8") + b"\0" + response.get_data())
            etag = digest.hexdigest()[:40]
        response.set_etag(etag)
    if response.mimetype == "text/html":
        response.vary.add("Cookie")  # the page's language may come from the cookie
    if request.if_none_match.contains(etag):
        if response.is_streamed and hasattr(response.response, "close"):
            response.response.close()
        response.status_code = 304
        response.set_data(b"")
        response.headers.pop("Content-Length", None)
    return response


def install(app: Flask, served: Resources) -> None:
    """The archive's hooks: choose the release, name it on pages, cache by it (after plumbing.install)."""
    app.extensions[KEY] = ReleaseCache(served.app_settings.release_cache, _load)
    app.before_request(choose_release)
    app.context_processor(release_notice)
    app.after_request(cache_headers)  # registered after plumbing's: runs before compression, which keeps the ETag apart
    app.wsgi_app = ReleasePaths(app, app.wsgi_app)  # type: ignore[method-assign]  # Flask's documented way to wrap the WSGI app
