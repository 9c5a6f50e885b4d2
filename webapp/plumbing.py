"""HTTP plumbing every view shares, defined once: negotiation, JSON twins, CORS, errors, the release header.

- **Negotiation** (`negotiate`): a format from a URL extension, else from `Accept` with q-values,
  among the formats a view offers (graph.formats); only a client that names text/html gets HTML.
  A parsed Accept header and its best matches are kept (`parsed_accept`, `best_match`): werkzeug's
  answer, once per distinct header rather than once per request.
- **JSON twins** (`page_routes`, `wants_json`, `page_or_json`): every HTML page `/x` has its data at
  `/x.json` (a folder's page `/x/` at `/x/index.json`, the home page at `/index.json`), also
  chosen by `Accept: application/json`; both say where the other is in a `Link` header.
- **CORS** (`CORS_PATHS`): the machine-readable doors (SPARQL, the APIs, IRIs and their documents,
  VoID) are open to scripts on other sites; one `after_request` rule says so, with preflight.
- **Errors**: a JSON API answers `{"status": N, "error": "..."}` (`json_error`; `api_errors` maps
  the library's errors to it app-wide); /sparql answers the SPARQL Protocol's plain text; a store
  that does not answer is a 503 with Retry-After.
- **X-Release**: every answer names the release that gave it; every answer also says `nosniff`.
- **Compression** (`compress`): text answers (pages, JSON, SPARQL results, RDF text, CSV, CSS, JS)
  above `COMPRESS_MIN_BYTES` go gzip-encoded to clients that accept it, with `Vary:
  Accept-Encoding` and an ETag of their own; never the release's files under /dumps/ (already
  gzip or byte-ranged downloads whose ETag is their SHA-256), ranged or streamed answers.
  Static assets are cacheable for `STATIC_MAX_AGE` (npm installs new versions under new stamps).
- **/favicon.ico**: every browser asks for it at the root; it gets the static icon, not a 404.
"""

from __future__ import annotations

import functools
import gzip
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, render_template, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header

from graph.formats import HTML, JSON, Format, media_types
from graph.map import MapNotFound, MapParameterError
from graph.network import NetworkOptionError, UnknownNode
from graph.sparql.remote import RemoteUnavailable
from graph.store import StoreUnavailable
from webapp.links import choose_lang
from webapp.resources import public_url, release_id
from webapp.wording import ERRORS, ui, words

View = TypeVar("View", bound=Callable[..., Any])

#: Paths whose answers any site's scripts may read (all public, read-only data; no credentials involved).
CORS_PATHS = ("/sparql", "/api/", "/id/", "/doc/", "/vocab", "/ontology", "/.well-known/void")
#: Headers a script on another site may read (the SPARQL answer's row count, cap and truncation; the release).
EXPOSED_HEADERS = "X-Truncated, X-Row-Count, X-Row-Cap, X-Query-Seconds, X-Cache, X-Release"
#: Answers smaller than this go as they are (gzip's header and a round trip cost more than they save).
COMPRESS_MIN_BYTES = 1024
#: Media types worth compressing besides text/* and the +json/+xml families.
COMPRESSIBLE = frozenset(
    {"application/json", "application/javascript", "application/xml", "application/n-triples", "application/n-quads", "application/trig", "image/svg+xml"}
)
#: Paths never compressed: the release's files are downloads (some already gzip) with byte ranges and a SHA-256 ETag.
UNCOMPRESSED_PATHS = ("/dumps/",)
#: How long a browser may keep /static/ files without asking again (seconds).
STATIC_MAX_AGE = 24 * 3600


# ---------------------------------------------------------------- negotiation


#: Accept headers longer than this are parsed every time rather than kept (a cache must not hold a visitor's megabytes).
ACCEPT_CACHE_CHARS = 1024


def _parse_accept(header: str) -> MIMEAccept:
    return parse_accept_header(header, MIMEAccept)


@functools.lru_cache(maxsize=512)
def _cached_accept(header: str) -> MIMEAccept:
    return _parse_accept(header)


@functools.lru_cache(maxsize=1024)
def _cached_best(header: str, offered: tuple[str, ...]) -> str | None:
    return _cached_accept(header).best_match(offered)


def accept_header() -> str:
    """The request's Accept header as sent ("" when absent)."""
    return request.headers.get("Accept", "")


def parsed_accept(header: str) -> MIMEAccept:
    """`header` parsed as werkzeug's `request.accept_mimetypes` would, kept for the next request with the same header.

    Clients send a handful of distinct Accept headers, and werkzeug's parse and `best_match` cost
    about 70 µs each per request; kept here, a repeat costs a dictionary look-up.
    """
    return _cached_accept(header) if len(header) <= ACCEPT_CACHE_CHARS else _parse_accept(header)


def best_match(header: str, offered: Sequence[str]) -> str | None:
    """werkzeug's `best_match` of `offered` (media types, in the server's preference order) for an Accept header, cached like `parsed_accept`."""
    if len(header) <= ACCEPT_CACHE_CHARS:
        return _cached_best(header, tuple(offered))
    return _parse_accept(header).best_match(offered)


def named_in_accept(fmt: Format) -> bool:
    """Did the client name this format's media type (or an alias) itself, not only through */*?"""
    wanted = {fmt.media_type, *fmt.media_aliases}
    return any(value in wanted for value, _ in parsed_accept(accept_header()))


def negotiate(offered: Sequence[Format], extension: str | None = None) -> Format | None:
    """The format to answer in, among `offered` (in the server's preference order), or None for 406.

    An extension decides alone. Without one, `Accept` decides (q-values, and the media types
    clients use as aliases); no `Accept` at all gets the first offered. HTML goes only to a client
    that names text/html (a browser): `*/*` (curl, RDF libraries) gets the first data format.
    """
    if extension is not None:
        return next((f for f in offered if f.extension == extension), None)
    data = [f for f in offered if f is not HTML]
    if not request.headers.get("Accept"):
        return data[0] if data else offered[0]
    best = best_match(accept_header(), media_types(offered))
    if best is None:
        return None
    chosen = next((f for f in offered if f.media_type == best), None) or next(f for f in offered if best in f.media_aliases)
    if chosen is HTML and not named_in_accept(HTML) and data:
        return data[0]
    return chosen


def split_extension(name: str, offered: Sequence[Format]) -> tuple[str, str | None]:
    """`sofia.ttl` -> ("sofia", "ttl") when `ttl` is an offered extension; else (name, None)."""
    stem, dot, extension = name.rpartition(".")
    if dot and any(f.extension == extension for f in offered):
        return stem, extension
    return name, None


def not_acceptable(what: str, offered: Sequence[Format]) -> Response:
    """406 naming what can be served."""
    served = ", ".join(f.media_type for f in offered)
    return text_response(406, f"none of the requested types ({request.headers.get('Accept', '')}) can be served; {what} is available as: {served}")


# ---------------------------------------------------------------- JSON twins


def page_routes(blueprint: Blueprint, rule: str, **options: Any) -> Callable[[View], View]:
    """Register a page at `rule` and its twins at `rule.json` and `rule.html` (`/x/` -> `/x/index.json`).

    The view gets `extension` ("json", "html", or None for the plain URL, where Accept decides).
    """
    stem = rule + "index" if rule.endswith("/") else rule

    def register(view: View) -> View:
        blueprint.add_url_rule(rule, view_func=view, **options)
        blueprint.add_url_rule(f"{stem}.<any(json, html):extension>", view_func=view, **options)
        return view

    return register


def wants_json(extension: str | None) -> bool:
    """The twin asked for: `.json`, `?format=json`, or an Accept that prefers application/json to text/html."""
    if extension is not None:
        return extension == "json"
    if request.args.get("format") == "json":
        return True
    return best_match(accept_header(), (HTML.media_type, JSON.media_type)) == JSON.media_type


def page_or_json(extension: str | None, path: str, data: Callable[[], Any], html: Callable[[], Response]) -> Response:
    """The page at `{public}{path}` (made by `html`) or its JSON twin (`data`), with `Link` headers to both and `Vary: Accept` when negotiated."""
    response = json_response(data()) if wants_json(extension) else html()
    if extension is None:
        response.vary.add("Accept")
    stem = path + "index" if path.endswith("/") or path == "" else path
    response.headers["Link"] = (
        f'<{public_url()}{stem}.json>; rel="alternate"; type="{JSON.media_type}", <{public_url()}{stem}.html>; rel="alternate"; type="{HTML.media_type}"'
    )
    return response


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, default=str), status=status, content_type=JSON.content_type)


# ---------------------------------------------------------------- errors


def json_error(status: int, message: str, **headers: str) -> Response:
    """The one error shape of the JSON APIs."""
    response = json_response({"status": status, "error": message}, status)
    response.headers.update(headers)
    return response


def text_response(status: int, message: str, **headers: str) -> Response:
    """A plain-text answer (the SPARQL Protocol's errors, 406s, 404s for data clients)."""
    response = Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers)
    return response


def _json_path() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def _http_error(error: HTTPException) -> Response | HTTPException:
    """HTTP errors (404, 405, 413, ...): JSON on the JSON APIs, plain text on /sparql, our own page
    (in the visitor's language, with the site's header) elsewhere."""
    status = error.code or 500
    if _json_path():
        return json_error(status, error.description or error.name)
    if request.path.startswith("/sparql"):
        return text_response(status, f"{error.name}: {error.description}")
    if status < 400:
        return error
    lang, _ = choose_lang()
    said = words(ERRORS, lang)
    message = said.get(f"error_{status}", said["error_other"])
    page = render_template("error.html", status=status, message=message, e=said, t=ui(lang), lang=lang, public=public_url())
    response = Response(page, status=status, mimetype="text/html")
    for name in ("Allow", "Retry-After"):
        if name in (headers := dict(error.get_headers())):
            response.headers[name] = headers[name]
    return response


def _bad_parameter(error: Exception) -> Response:
    return json_error(404 if isinstance(error, UnknownNode | MapNotFound) else 400, str(error))


def _unavailable(error: Exception) -> Response:
    """The store is down or slow: say so at once, and when to try again."""
    retry = str(getattr(error, "retry_after", 5))
    if _json_path():
        return json_error(503, f"the SPARQL store is unavailable: {error}", **{"Retry-After": retry})
    return text_response(503, f"the SPARQL store is unavailable: {error}", **{"Retry-After": retry})


# ---------------------------------------------------------------- CORS and the release header


def _every_answer(response: Response) -> Response:
    response.headers["X-Release"] = release_id()
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.path.startswith(CORS_PATHS):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


# ---------------------------------------------------------------- compression


def compressible(mimetype: str) -> bool:
    return mimetype.startswith("text/") or mimetype.endswith(("+json", "+xml")) or mimetype in COMPRESSIBLE


def compress(response: Response) -> Response:
    """gzip a finished text answer when the client accepts it (see the module's notes for what is never compressed)."""
    if (
        response.status_code != 200
        or request.path.startswith(UNCOMPRESSED_PATHS)
        or "Content-Encoding" in response.headers
        or response.headers.get("Content-Disposition", "").startswith("attachment")
        or not compressible(response.mimetype or "")
    ):
        return response
    if response.is_streamed and not response.direct_passthrough:
        return response  # a generator: written as it is made, never held whole in memory
    if response.direct_passthrough and (request.range is not None or request.method != "GET"):
        return response  # a file (static asset) asked in part, or only its headers: send_file's answer stands
    source = response.response
    response.direct_passthrough = False  # a file read whole (a static asset: small, text)
    body = response.get_data()
    if response.response is not source and hasattr(source, "close"):
        source.close()  # the file that was read (get_data keeps only the bytes)
    if len(body) < COMPRESS_MIN_BYTES:
        return response
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return response
    response.set_data(gzip.compress(body, compresslevel=6, mtime=0))  # sets Content-Length
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)  # ranges are offered on the identity body only
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-gzip", weak=bool(weak))  # another body, another validator
        if request.if_none_match.contains_weak(f"{etag}-gzip"):
            response.status_code = 304
            response.set_data(b"")
            response.headers.pop("Content-Length", None)
            response.headers.pop("Content-Encoding", None)
    return response


def _favicon() -> Response:
    return current_app.send_static_file("favicon.ico")


def install(app: Flask) -> None:
    """The app-wide rules: compression, the release header, CORS, static caching and the error handlers."""
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = STATIC_MAX_AGE
    app.after_request(compress)  # registered first, so it runs last, on the finished answer
    app.after_request(_every_answer)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    app.register_error_handler(HTTPException, _http_error)
    for library_error in (NetworkOptionError, MapParameterError, MapNotFound):
        app.register_error_handler(library_error, _bad_parameter)
    for outage in (StoreUnavailable, RemoteUnavailable):
        app.register_error_handler(outage, _unavailable)
