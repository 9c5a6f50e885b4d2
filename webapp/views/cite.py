"""Citable permalinks: `POST /cite` pins an answer; `/p/{id}` shows it, cites it, and compares it with the latest release.

`POST /cite` (JSON, or a form) names what to pin: a SPARQL query (`kind=sparql`, `query=`), a
resource's page (`kind=resource`, `iri=`) or a network view (`kind=network`, `parameters=` the
view's filters). The server computes the answer itself, on the release it serves, through the
same doors the pages use (user SPARQL through the sandboxed workers of /sparql), and keeps it in
the permalink store (webapp.permalinks). A client never supplies the answer it cites.

Guards: the request must come from this site (an `Origin` other than the public URL's, or
`Sec-Fetch-Site: cross-site`, is a 403: a page elsewhere cannot make visitors create links);
the body is at most the query limit plus 16 KiB (413); text must be UTF-8 without control
characters (400); each client may create `cites_per_minute` links a minute (429); an answer
larger than `max_cite_bytes` is not pinned (413, with what to do).

`/p/{id}` (HTML + `.json`), `/p/{id}.csl.json`, `/p/{id}.bib`, and `/p/{id}/latest` (HTML +
`.json`): the same question asked of the release served now, and the rows that differ.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, redirect, render_template, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import RequestEntityTooLarge

from graph.formats import NTRIPLES, SPARQL_JSON
from graph.namespaces import COUNTRY
from graph.network import NetworkOptions, build_network, network_data
from webapp.citation import bibtex, cell, columns, csl, difference, edges_answer, graph_answer, reference, row_count, rows, title
from webapp.document import exists
from webapp.links import choose_lang, local_url, remember_lang
from webapp.permalinks import FILE_NAME, ID, Permalink, PermalinkStore
from webapp.plumbing import json_error, json_response, page_or_json, page_routes
from webapp.resources import app_settings, base, public_url, release_id, resources, store
from webapp.views.changes import changes_url
from webapp.views.network import PARAMETER_NAMES
from webapp.views.sparql import execute
from webapp.wording import CITE, words

cite = Blueprint("cite", __name__)

KEY = "uaeu.permalinks"
KINDS = ("sparql", "resource", "network")
#: Room in a request body for everything besides the query (kind, IRI, network filters).
EXTRA_BYTES = 16 * 1024
MAX_PARAMETER = 200
MAX_SHOWN_ROWS = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]{1,2000}$")


class CiteError(Exception):
    def __init__(self, status: int, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status, self.headers = status, headers


@cite.errorhandler(CiteError)
def _cite_error(err: CiteError) -> Response:
    return json_error(err.status, str(err), **err.headers)


class RateLimit:
    """At most `per_minute` creations per client in any 60 seconds."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: dict[str, deque[float]] = defaultdict(deque)

    def admit(self, client: str, per_minute: int) -> int:
        """0 when admitted, else the seconds to wait."""
        now = time.monotonic()
        with self.lock:
            times = self.seen[client]
            while times and now - times[0] > 60:
                times.popleft()
            if len(times) >= per_minute:
                return max(1, int(60 - (now - times[0])) + 1)
            times.append(now)
            if len(self.seen) > 10_000:  # forget idle clients
                for idle in [c for c, t in self.seen.items() if not t]:
                    del self.seen[idle]
            return 0


@cite.record_once
def _install(state: BlueprintSetupState) -> None:
    state.app.extensions[KEY + ".rate"] = RateLimit()
    state.app.extensions[KEY + ".lock"] = threading.Lock()


def permalink_store(app: Flask | None = None) -> PermalinkStore:
    """The app's permalink store, opened on first use (a server that never cites never writes the file)."""
    app = app or current_app
    with app.extensions[KEY + ".lock"]:
        found = app.extensions.get(KEY)
        if found is None:
            served = resources(app)
            path = Path(served.app_settings.permalinks) if served.app_settings.permalinks else served.settings.build_dir / FILE_NAME
            found = app.extensions[KEY] = PermalinkStore(path)
        assert isinstance(found, PermalinkStore)
        return found


@cite.app_context_processor
def _cite_words() -> dict[str, Any]:
    return {"cite_words": lambda lang="en": words(CITE, lang or "en")}


# ---------------------------------------------------------------- creating


def _same_site() -> None:
    public = urllib.parse.urlsplit(public_url())
    expected = f"{public.scheme}://{public.netloc}"
    origin = request.headers.get("Origin")
    if origin is not None and origin != expected:
        raise CiteError(403, f"citations are made from this site's own pages ({expected}), not from {origin[:100]}")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise CiteError(403, "citations are made from this site's own pages, not from another site")


def _text(value: Any, name: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CiteError(400, f"'{name}' must be text")
    if len(value.encode("utf-8")) > limit:
        raise CiteError(413, f"'{name}' is longer than {limit} bytes")
    if _CONTROL.search(value):
        raise CiteError(400, f"'{name}' holds control characters")
    return value


def _request_fields() -> dict[str, Any]:
    limit = app_settings().max_query_bytes + EXTRA_BYTES
    if (request.content_length or 0) > limit:
        raise CiteError(413, f"the request is larger than {limit} bytes")
    try:
        raw = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise CiteError(413, f"the request is larger than {limit} bytes") from None
    if len(raw) > limit:
        raise CiteError(413, f"the request is larger than {limit} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CiteError(400, "the request body is not valid UTF-8") from None
    if request.mimetype == "application/json":
        try:
            fields = json.loads(text)
        except ValueError as err:
            raise CiteError(400, f"the request body is not JSON: {err}") from None
        if not isinstance(fields, dict):
            raise CiteError(400, 'send a JSON object: {"kind": "sparql", "query": "..."}')
        return fields
    if request.mimetype == "application/x-www-form-urlencoded":
        try:
            pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise CiteError(400, "the form is not valid UTF-8") from None
        return dict(pairs)
    raise CiteError(415, f"send application/json or a form, not {request.mimetype or '(no Content-Type)'}")


def _network_parameters(value: Any) -> dict[str, Any]:
    """A network view's filters: a query string or an object of names to text (or lists of text)."""
    if isinstance(value, str):
        value = {name: values for name, values in urllib.parse.parse_qs(value.lstrip("?"), keep_blank_values=False).items()}
    if not isinstance(value, dict):
        raise CiteError(400, "'parameters' must be the network view's query string or an object")
    params: dict[str, Any] = {}
    for name, given in value.items():
        if name == "query":
            raise CiteError(400, "a network made from a query is cited from the SPARQL editor (cite the query)")
        if name not in PARAMETER_NAMES and str(name).replace("-", "_") not in PARAMETER_NAMES:
            raise CiteError(400, f"{str(name)[:50]!r}: not a network parameter (expected one of: {', '.join(sorted(PARAMETER_NAMES))})")
        items = given if isinstance(given, list) else [given]
        params[name] = [_text(item, name, MAX_PARAMETER) for item in items][-1 if name in ("kind", "weighting", "as_of", "as-of") else 0 :]
    return params


def _network_answer(params: dict[str, Any]) -> dict[str, Any]:
    options = NetworkOptions.from_params(params)  # a bad filter is NetworkOptionError: the app's 400
    built = build_network(network_data(store(), base=base(), release=release_id()), options)
    return edges_answer([{"source": u, "target": v, "weight": d.get("weight", 1.0)} for u, v, d in built.graph.edges(data=True)])


def _sparql_answer(query: str) -> tuple[dict[str, Any], bool]:
    outcome = execute(query, SPARQL_JSON, NTRIPLES, [], [])
    if isinstance(outcome, Response):
        raise CiteError(
            outcome.status_code,
            outcome.get_data(as_text=True).strip(),
            **({"Retry-After": outcome.headers["Retry-After"]} if "Retry-After" in outcome.headers else {}),
        )
    if outcome.kind in ("select", "ask"):
        answer: dict[str, Any] = json.loads(outcome.body)
    else:
        answer = graph_answer(outcome.body)
    return answer, outcome.truncated


def _answer(kind: str, query: str, parameters: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The answer of the release served now (what a permalink pins, and what "latest" compares with)."""
    if kind == "network":
        return _network_answer(parameters), False
    return _sparql_answer(query)


@cite.post("/cite")
def create() -> Any:
    _same_site()
    settings = app_settings()
    fields = _request_fields()
    kind = fields.get("kind") or "sparql"
    if kind not in KINDS:
        raise CiteError(400, f"kind must be one of: {', '.join(KINDS)}")
    wait = current_app.extensions[KEY + ".rate"].admit(request.remote_addr or "", settings.cites_per_minute)
    if wait:
        raise CiteError(
            429, f"too many citations from you in a minute (UAEU_CITES_PER_MINUTE={settings.cites_per_minute}); wait {wait} s", **{"Retry-After": str(wait)}
        )
    parameters: dict[str, Any] = {}
    query = ""
    if kind == "sparql":
        query = _text(fields.get("query"), "query", settings.max_query_bytes)
        if not query.strip():
            raise CiteError(400, "give the query to cite ('query')")
    elif kind == "resource":
        iri = _text(fields.get("iri"), "iri", 2048)
        if not _IRI.match(iri) or not iri.startswith((base(), str(COUNTRY))):
            raise CiteError(400, "give the IRI of a thing in this graph ('iri')")
        if not exists(iri):
            raise CiteError(404, f"no resource {iri} in this graph")
        parameters = {"iri": iri}
        query = f"DESCRIBE <{iri}>"
    else:
        parameters = _network_parameters(fields.get("parameters", ""))
        query = ""
    answer, truncated = _answer(kind, query, parameters)
    size = len(json.dumps(answer).encode("utf-8"))
    if size > settings.max_cite_bytes:
        raise CiteError(
            413,
            f"the answer is {size:,} bytes, more than a citation keeps ({settings.max_cite_bytes:,}, UAEU_MAX_CITE_BYTES); narrow the query (LIMIT, filters)",
        )
    pinned = permalink_store().create(kind, query, parameters, release_id(), answer, row_count(answer), truncated)
    url = f"{public_url()}p/{pinned.id}"
    if request.mimetype != "application/json" and request.accept_mimetypes.best == "text/html":
        return redirect(url, 303)  # a plain form (no script): straight to the citation
    response = json_response({**_links(pinned), "release": pinned.release, "rows": pinned.rows, "reference": _reference(pinned, "en")}, 201)
    response.headers["Location"] = url
    return response


# ---------------------------------------------------------------- reading


def _find(permalink_id: str) -> Permalink:
    found = permalink_store().get(permalink_id) if ID.match(permalink_id) else None
    if found is None:
        abort(404, description=f"no citation {permalink_id[:40]!r} here")
    return found


def _links(p: Permalink) -> dict[str, str]:
    url = f"{public_url()}p/{p.id}"
    view = {
        "sparql": f"{public_url()}sparql?" + urllib.parse.urlencode({"query": p.query}),
        "resource": local_url(str(p.parameters.get("iri", ""))) or "",
        "network": f"{public_url()}network" + ("?" + urllib.parse.urlencode(p.parameters, doseq=True) if p.parameters else ""),
    }[p.kind]
    return {"id": p.id, "url": url, "json": f"{url}.json", "csl": f"{url}.csl.json", "bibtex": f"{url}.bib", "latest": f"{url}/latest", "view": view}


def _reference(p: Permalink, lang: str) -> str:
    return reference(p.id, f"{public_url()}p/{p.id}", p.kind, p.parameters, p.release, p.created, lang)


def _table(answer: dict[str, Any], limit: int = MAX_SHOWN_ROWS) -> dict[str, Any]:
    names = columns(answer)
    shown = rows(answer)[:limit]
    return {"columns": names, "rows": [[cell(row.get(name)) for name in names] for row in shown], "total": row_count(answer)}


@page_routes(cite, "/p/<permalink_id>")
def page(permalink_id: str, extension: str | None = None) -> Response:
    p = _find(permalink_id)
    links = _links(p)

    def data() -> dict[str, Any]:
        return {
            **p.as_dict(),
            "links": links,
            "title": title(p.kind, p.parameters),
            "reference": _reference(p, "en"),
            "csl": csl(p.id, links["url"], p.kind, p.parameters, p.release, p.created),
        }

    return _immutable(page_or_json(extension, f"p/{p.id}", data, lambda: _permalink_page(p, links, release_id(), None)), p)


def _permalink_page(p: Permalink, links: dict[str, str], served: str, comparison: dict[str, Any] | None) -> Response:
    """The citation's HTML page in the visitor's language; with `comparison`, the view against the latest release."""
    lang, remember = choose_lang()
    body = render_template(
        "permalink.html",
        p=p,
        links=links,
        heading=title(p.kind, p.parameters, lang),
        table=_table(p.answer),
        reference=_reference(p, lang),
        bib=bibtex(p.id, links["url"], p.kind, p.parameters, p.release, p.created),
        served=served,
        lang=lang,
        w=words(CITE, lang),
        comparison=comparison,
    )
    return remember_lang(Response(body, mimetype="text/html"), remember)


def _immutable(response: Response, p: Permalink) -> Response:
    """A citation never changes: cache it for a day (not longer: a page's words and links may still improve).

    `X-Release` names the release served now (every answer has it); `X-Pinned-Release` the one the answer came from.
    """
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Pinned-Release"] = p.release
    return response


@cite.get("/p/<permalink_id>.csl.json")
def csl_json(permalink_id: str) -> Response:
    p = _find(permalink_id)
    response = Response(
        json.dumps(csl(p.id, f"{public_url()}p/{p.id}", p.kind, p.parameters, p.release, p.created), ensure_ascii=False, indent=1),
        content_type="application/vnd.citationstyles.csl+json",
    )
    response.headers["Content-Disposition"] = f'inline; filename="uaeu-{p.id}.csl.json"'
    return _immutable(response, p)


@cite.get("/p/<permalink_id>.bib")
def bib(permalink_id: str) -> Response:
    p = _find(permalink_id)
    response = Response(bibtex(p.id, f"{public_url()}p/{p.id}", p.kind, p.parameters, p.release, p.created), content_type="application/x-bibtex; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="uaeu-{p.id}.bib"'
    return _immutable(response, p)


@page_routes(cite, "/p/<permalink_id>/latest")
def latest(permalink_id: str, extension: str | None = None) -> Response:
    """The same question asked of the release served now, and the rows that differ from the pinned answer."""
    p = _find(permalink_id)
    links = _links(p)
    now = release_id()
    try:
        answer, truncated = _answer(p.kind, p.query, p.parameters)
    except CiteError as err:
        if extension == "json" or request.accept_mimetypes.best == "application/json":
            raise
        abort(err.status, description=str(err))
    diff = difference(p.answer, answer)
    compared = {
        "id": p.id,
        "pinned_release": p.release,
        "latest_release": now,
        "added": diff["added"],
        "removed": diff["removed"],
        "kept": diff["kept"],
        "latest_rows": row_count(answer),
        "latest_truncated": truncated,
        "links": links,
        "changes": changes_url_between(p.release),
    }

    def html() -> Response:
        names = diff["columns"]
        comparison = {
            **compared,
            "columns": names,
            "added_rows": [[cell(r.get(n)) for n in names] for r in diff["added"][:MAX_SHOWN_ROWS]],
            "removed_rows": [[cell(r.get(n)) for n in names] for r in diff["removed"][:MAX_SHOWN_ROWS]],
        }
        return _permalink_page(p, links, now, comparison)

    return page_or_json(extension, f"p/{p.id}/latest", lambda: compared, html)


def changes_url_between(pinned: str) -> str | None:
    """The changes page of the served release, when the citation is pinned to an earlier one in this archive."""
    from graph.diff import UnknownRelease, find

    served = resources().release
    if served is None or served.id == pinned:
        return None
    try:
        find(resources().settings.build_dir, pinned)
    except UnknownRelease:
        return None
    return changes_url(served)
