"""The partner network over HTTP: `/api/network/...` (JSON, GEXF, GraphML, Cytoscape JSON, CSV) and the `/network` page.

Everything here is a thin door onto `graph.network`: the filters are the library's own
(`NetworkOptions.from_params`), so a URL, the CLI and Python say the same thing, and a bad value gets
the library's message as a 400. Networks, exports, layouts and page data are cached per (data,
options), so a warm request only looks up bytes. User SPARQL (the query-to-network bridge) goes
through `webapp.sparql.execute`, the same guard and killable workers as /sparql.

CSV: `?format=csv` answers a zip of `{name}.nodes.csv`, `{name}.edges.csv` and `{name}.meta.json`;
`?format=csv&part=nodes` (or `edges`) answers that one CSV as text/csv.

`?lang=bg` on a download (a whole network or an ego network, any format) names each node in that
language where the graph has a label in it (others keep theirs), says so in the meta block
(`label_language`) and in the file name (`...-bg.gexf`); the page's download links carry it.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, render_template, request, url_for

from graph.formats import JSON, SPARQL_JSON, ZIP
from graph.network import (
    FORMATS,
    KINDS,
    METRICS,
    WEIGHTINGS,
    Network,
    NetworkData,
    NetworkOptionError,
    NetworkOptions,
    Precomputed,
    build_network,
    describe,
    ego,
    export,
    export_network,
    is_precomputed,
    kind_layout,
    network_data,
    shortest_connection,
    use_precomputed,
    warm_up,
)
from graph.network.layout import spring_positions
from graph.network.metrics import METRIC_NOTES
from graph.network.model import ROLE_ALIASES
from graph.network.precomputed import as_of_years
from graph.network.rows import network_from_rows
from graph.release import network_folder
from webapp.links import choose_lang, local_url, with_lang
from webapp.plumbing import json_error, json_response
from webapp.resources import app_settings, base, release_id, resources, settings, store
from webapp.views.sparql import ProtocolError, execute, query_parameters
from webapp.wording import NETWORK, UI_LANGUAGES, words

network = Blueprint("network", __name__)


@network.errorhandler(ProtocolError)
def _protocol_error(err: ProtocolError) -> Response:
    return json_error(400, str(err))


#: Query parameters the network API understands (besides NetworkOptions' own fields and aliases).
EXTRA_PARAMETERS = {"format", "part", "radius", "query", "from", "to", "release", "lang"}  # release: webapp.archive chose it
PARAMETER_NAMES = {*NetworkOptions.__dataclass_fields__, "role", "partner_type", "theme", "partnership", "as-of", "partner-type"}
CSV_PARTS = ("nodes", "edges")
#: The example the API index links to (`from` is a Python keyword, so the parameters go as a mapping).
PATH_EXAMPLE: dict[str, Any] = {"from": "tallinn-city", "to": "sofia-municipality"}
#: The roles a form offers: the aliases first (what most people mean), then each role.
ROLE_CHOICES = tuple(ROLE_ALIASES)
QUERY_CACHE_SLOTS = 32


# ---------------------------------------------------------------- helpers


def _data() -> NetworkData:
    return network_data(store(), base=base(), release=release_id())


def _params(drop: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The query string as lists; an unknown parameter name is a 400 (a typo must not silently mean 'no filter')."""
    params = request.args.to_dict(flat=False)
    for name in params:
        if name not in PARAMETER_NAMES and name.replace("-", "_") not in PARAMETER_NAMES and name not in EXTRA_PARAMETERS:
            known = sorted({*NetworkOptions.__dataclass_fields__, "role", "partner_type", "theme", "partnership", *EXTRA_PARAMETERS})
            raise NetworkOptionError(f"{name}: unknown parameter (expected one of: {', '.join(known)})")
    return {k: v for k, v in params.items() if k not in drop}


def _options(path: bool = False, **overrides: Any) -> NetworkOptions:
    """Options from the query string; for /path, ?from= and ?to= name organisations, not a period."""
    drop = ("format", "part", "radius", "query", "release", "lang", *(("from", "to") if path else ()))
    return NetworkOptions.from_params(_params(drop), **overrides)


def _one(name: str, default: str) -> str:
    values = request.args.getlist(name)
    return values[-1] if values else default


def _filename(options: NetworkOptions | None, stem: str) -> str:
    """A download name that says what the file holds: kind, weighting, dates."""
    parts = [stem]
    if options is not None:
        if options.kind != "bipartite" and options.weighting != "shared":
            parts.append(options.weighting)
        if options.as_of:
            parts.append(f"as-of-{options.as_of}")
        if options.start or options.end:
            parts.append(f"{options.start or ''}..{options.end or ''}")
        if (options.partner_types, options.themes, options.partnerships) != ((), (), ()) or options.evidence != ("stated",):
            parts.append("filtered")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts))


def _export_lang() -> str | None:
    """The language a download's node labels are asked in (`?lang=bg`); None for English or a language the site has no words in."""
    lang = _one("lang", "en").lower()
    return lang if lang != "en" and lang in UI_LANGUAGES else None


def _in_language(network_: Network, lang: str) -> Network:
    """A copy of a network whose nodes are named in `lang` where the graph has a label in it (the
    shortest, as the page's `_relabelled`); the cached English network is left as it is."""
    labels = resources().labels
    graph = network_.graph.copy()  # new attribute dicts: the copy's labels are its own
    if labels is not None:
        for node, attrs in graph.nodes(data=True):
            thing = labels.by_iri.get(node)
            written = next((text for _, text, label_lang in thing.labels if label_lang == lang), None) if thing is not None else None
            if written is not None:
                attrs["label"] = written
    meta = {**network_.meta, "label_language": lang}
    graph.graph["meta"] = meta
    return Network(graph, meta)


@functools.lru_cache(maxsize=64)
def _exported_in(data: NetworkData, options: NetworkOptions, fmt: str, lang: str) -> tuple[bytes | tuple[str, str], dict[str, Any]]:
    """A whole network exported with its nodes named in `lang`, and its meta; cached like the English exports."""
    named = _in_language(build_network(data, options), lang)
    return export(named, fmt), named.meta


def _attachment(body: bytes | str, content_type: str, filename: str, inline: bool = False) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


def _csv_zip(name: str, csv_pair: bytes | tuple[str, str], meta: dict[str, Any]) -> bytes:
    assert isinstance(csv_pair, tuple), "a CSV export is a (nodes, edges) pair"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.nodes.csv", csv_pair[0])
        archive.writestr(f"{name}.edges.csv", csv_pair[1])
        archive.writestr(f"{name}.meta.json", json.dumps(meta, ensure_ascii=False, indent=1, default=str))
    return out.getvalue()


@functools.lru_cache(maxsize=64)
def _zipped(data: NetworkData, options: NetworkOptions, name: str) -> bytes:
    exported = export_network(data, options, "csv")
    assert isinstance(exported, tuple)
    return _csv_zip(name, exported, build_network(data, options).meta)


def _serve(exported: bytes | tuple[str, str], fmt: str, filename: str, zipped: Any) -> Response:
    """One export as a response: its media type, and a file name for everything but JSON."""
    if fmt not in FORMATS:
        raise NetworkOptionError(f"format: unknown format '{fmt}' (expected one of: {', '.join(FORMATS)})")
    export_format = FORMATS[fmt]
    if fmt == "csv":
        assert isinstance(exported, tuple)
        part = _one("part", "")
        if part == "":
            return _attachment(zipped(), ZIP.content_type, f"{filename}.csv.zip")
        if part not in CSV_PARTS:
            raise NetworkOptionError(f"part: unknown part '{part}' (expected one of: {', '.join(CSV_PARTS)}, or none for a zip of both)")
        return _attachment(exported[CSV_PARTS.index(part)], export_format.content_type, f"{filename}.{part}.csv")
    assert isinstance(exported, bytes)
    if fmt in ("json", "cyjs"):
        name = f"{filename}.{export_format.extension}.json" if fmt == "cyjs" else f"{filename}.json"
        return _attachment(exported, export_format.content_type, name, inline=True)
    return _attachment(exported, export_format.content_type, f"{filename}.{export_format.extension}")


# ---------------------------------------------------------------- API


@network.get("/api/network")
@network.get("/api/network/")
def api_index() -> Response:
    """What the API offers: kinds, formats, filters and the values they accept."""
    data = _data()
    body = {
        "kinds": list(KINDS),
        "formats": list(FORMATS),
        "csv": "format=csv answers a zip (nodes, edges, meta); add part=nodes or part=edges for one CSV",
        "weightings": list(WEIGHTINGS),
        "filters": {"role": list(ROLE_CHOICES), **describe(data)},
        "parameters": ["kind", "weighting", "as_of", "start (from)", "end (to)", "role", "partner_type", "theme", "partnership", "evidence", "format", "part"],
        "endpoints": {
            **{kind: url_for("network.api_network", kind=kind) for kind in KINDS},
            "ego": url_for("network.api_ego", entity="sofia-municipality"),
            "path": url_for("network.api_path", **PATH_EXAMPLE),
            "from-query": url_for("network.api_from_query"),
            "page": url_for("network.page"),
        },
        "release": data.release,
    }
    return json_response(body)


@network.get("/api/network/<any(bipartite, organisations, countries, partnerships):kind>")
def api_network(kind: str) -> Response:
    """A whole network in one format, cached per (data, options, format)."""
    data = _data()
    options = _options(kind=kind)
    fmt = _one("format", "json")
    lang = _export_lang()
    if lang is not None:
        if fmt not in FORMATS:
            raise NetworkOptionError(f"format: unknown format '{fmt}' (expected one of: {', '.join(FORMATS)})")
        named, meta = _exported_in(data, options, fmt, lang)
        name = _filename(options, f"uaeu-{kind}") + f"-{lang}"
        return _serve(named, fmt, name, lambda: _csv_zip(name, named, meta))
    exported = export_network(data, options, fmt)
    name = _filename(options, f"uaeu-{kind}")
    return _serve(exported, fmt, name, lambda: _zipped(data, options, name))


@functools.lru_cache(maxsize=256)
def _ego_export(
    data: NetworkData, options: NetworkOptions, entity: str, radius: int, fmt: str, lang: str | None = None
) -> tuple[bytes | tuple[str, str], dict[str, Any], str]:
    whole = build_network(data, options)
    sub = ego(whole, entity, radius)  # an unknown entity raises UnknownNode: a 404 (webapp.plumbing)
    if lang is not None:
        sub = _in_language(sub, lang)
    return export(sub, fmt), sub.meta, sub.meta["ego"]["centre"]


@network.get("/api/network/ego/<path:entity>")
def api_ego(entity: str) -> Response:
    """The ego network of any node (IRI, slug or label) within the chosen kind (default: organisations)."""
    data = _data()
    options = _options()
    fmt = _one("format", "json")
    if fmt not in FORMATS:
        raise NetworkOptionError(f"format: unknown format '{fmt}' (expected one of: {', '.join(FORMATS)})")
    try:
        radius = int(_one("radius", "1"))
    except ValueError:
        raise NetworkOptionError(f"radius: must be a whole number, not '{_one('radius', '')}'") from None
    if not 0 <= radius <= 5:
        raise NetworkOptionError("radius: must be between 0 and 5")
    lang = _export_lang()
    exported, meta, centre = _ego_export(data, options, entity, radius, fmt, lang)
    name = _filename(options, f"uaeu-ego-{centre.rsplit('/', 1)[-1]}-{options.kind}-r{radius}") + (f"-{lang}" if lang else "")
    return _serve(exported, fmt, name, lambda: _csv_zip(name, exported, meta))


@network.get("/api/network/path")
def api_path() -> Response:
    """The shortest chain of partnerships between two organisations (?from=, ?to=), with its evidence."""
    data = _data()
    a, b = _one("from", ""), _one("to", "")
    if not a or not b:
        raise NetworkOptionError("from, to: give two organisations (IRI, slug such as 'tallinn-city', or label)")
    fmt = _one("format", "json")
    if fmt != "json":
        raise NetworkOptionError(f"format: a path is answered as json only, not '{fmt}'")
    options = _options(path=True, kind="bipartite")
    return json_response(shortest_connection(data, a, b, options))


@dataclass
class QueryNetwork:
    """A query's network and what has been made of it (exports, layout), kept together in one cache slot."""

    network: Network
    truncated: bool
    exports: dict[str, bytes | tuple[str, str]] = field(default_factory=dict)
    positions: dict[Any, tuple[float, float]] | None = None

    def export(self, fmt: str) -> bytes | tuple[str, str]:
        if fmt not in self.exports:
            self.exports[fmt] = export(self.network, fmt)
        return self.exports[fmt]

    def layout(self) -> dict[Any, tuple[float, float]]:
        if self.positions is None:
            self.positions = spring_positions(self.network.graph)
        return self.positions


_QUERY_CACHE: OrderedDict[tuple[str, str], QueryNetwork] = OrderedDict()
_QUERY_LOCK = threading.Lock()
#: Networks built from user queries are computed in this process (metrics, layout): one at a time,
#: and no larger than UAEU_QUERY_NETWORK_MAX_NODES, so they can never crowd out the pages.
_QUERY_BUILDS = threading.BoundedSemaphore(1)
BUILD_WAIT = 5.0


class NetworkBusy(Exception):
    """Another query's network is being computed; this one waited long enough."""


@network.errorhandler(NetworkBusy)
def _busy(err: NetworkBusy) -> Response:
    return json_error(503, str(err), **{"Retry-After": "2"})


@contextlib.contextmanager
def _one_build() -> Iterator[None]:
    if not _QUERY_BUILDS.acquire(timeout=BUILD_WAIT):
        raise NetworkBusy(f"another network built from a query is being computed; try again shortly (waited {BUILD_WAIT:g}s)")
    try:
        yield
    finally:
        _QUERY_BUILDS.release()


def _query_text() -> str:
    query = query_parameters().get("query") or ""
    if not query.strip():
        raise NetworkOptionError("query: give a SELECT query with ?source and ?target (optionally ?weight, ?start, ?end, ?sourceLabel, ?targetLabel)")
    return query


def query_network(query: str) -> QueryNetwork | Response:
    """The network of a SELECT's ?source/?target rows, run like /sparql (same refusals); cached per release and query."""
    key = (release_id(), query)
    with _QUERY_LOCK:
        if key in _QUERY_CACHE:
            _QUERY_CACHE.move_to_end(key)
            return _QUERY_CACHE[key]
    outcome = execute(query, SPARQL_JSON, None, [], [])
    if isinstance(outcome, Response):
        return outcome
    if outcome.kind != "select":
        raise NetworkOptionError(f"query: a network needs a SELECT with ?source and ?target; this query is {outcome.kind.upper()}")
    results = json.loads(outcome.body)
    settings = app_settings()
    meta = {"query": query, "truncated": outcome.truncated, "row_cap": settings.row_cap, "release": key[0]}
    built = QueryNetwork(network_from_rows(results["head"].get("vars", []), results["results"]["bindings"], meta), outcome.truncated)
    nodes = built.network.graph.number_of_nodes()
    if nodes > settings.query_network_max_nodes:
        raise NetworkOptionError(
            f"query: its network has {nodes} nodes; a network built from a query may have at most {settings.query_network_max_nodes}"
            " (UAEU_QUERY_NETWORK_MAX_NODES): narrow the query down, or download its rows from /sparql as CSV"
        )
    with _QUERY_LOCK:
        _QUERY_CACHE[key] = built
        while len(_QUERY_CACHE) > QUERY_CACHE_SLOTS:
            _QUERY_CACHE.popitem(last=False)
    return built


@network.route("/api/network/from-query", methods=["GET", "POST"])
def api_from_query() -> Response:
    """Any SELECT with ?source ?target as a network, with the same metrics and formats as the built-in kinds."""
    fmt = query_parameters().get("format", "json")
    if fmt not in FORMATS:
        raise NetworkOptionError(f"format: unknown format '{fmt}' (expected one of: {', '.join(FORMATS)})")
    with _one_build():
        built = query_network(_query_text())
        if isinstance(built, Response):
            return built
        exported = built.export(fmt)
        name = "uaeu-query-network"
        response = _serve(exported, fmt, name, lambda: _csv_zip(name, exported, built.network.meta))
    response.headers["X-Truncated"] = "true" if built.truncated else "false"
    return response


# ---------------------------------------------------------------- the page and its JSON twin


def _number(value: Any) -> Any:
    return None if isinstance(value, float) and value != value else value  # NaN -> null


def _view(
    meta: dict[str, Any],
    nodes_: Iterable[tuple[Any, Mapping[str, Any]]],
    edges_: Iterable[tuple[Any, Any, Mapping[str, Any]]],
    positions: dict[Any, tuple[float, float]],
) -> dict[str, Any]:
    """Nodes with position, link and metrics, and edges, as the page draws them (from a graph or its node-link JSON alike)."""
    nodes = []
    for node, attrs in nodes_:
        x, y = positions.get(node, (0.0, 0.0))
        entry = {
            "id": node,
            "label": str(attrs.get("label", node)),
            "kind": attrs.get("kind", ""),
            "partner_type": attrs.get("partner_type", ""),
            "country": attrs.get("country", ""),
            "url": local_url(node) if str(node).startswith(("http://", "https://")) else None,
            "x": x,
            "y": y,
        }
        entry.update({metric: _number(attrs.get(metric)) for metric in METRICS})
        nodes.append(entry)
    edges = [
        {"source": u, "target": v, "weight": _number(d.get("weight", 1.0)), "evidence": d.get("evidence", ""), "weak": bool(d.get("weak", False))}
        for u, v, d in edges_
    ]
    return {"meta": meta, "nodes": nodes, "edges": edges, "metrics": list(METRICS), "metric_notes": METRIC_NOTES}


def _graph_view(network_: Network, positions: dict[Any, tuple[float, float]]) -> dict[str, Any]:
    graph = network_.graph
    return _view(network_.meta, ((n, d) for n, d in graph.nodes(data=True)), ((u, v, d) for u, v, d in graph.edges(data=True)), positions)


def _downloads(endpoint: str, params: dict[str, Any]) -> dict[str, str]:
    links = {fmt: url_for(endpoint, **params, format=fmt) for fmt in FORMATS}
    links["csv"] = url_for(endpoint, **params, format="csv")
    links["nodes.csv"] = url_for(endpoint, **params, format="csv", part="nodes")
    links["edges.csv"] = url_for(endpoint, **params, format="csv", part="edges")
    return links


@functools.lru_cache(maxsize=128)
def _page_data(data: NetworkData, options: NetworkOptions, downloads: tuple[tuple[str, str], ...]) -> bytes:
    positions = kind_layout(data, options.kind)
    if is_precomputed(data, options):
        # The network as `uaeu build` computed it: its node-link JSON is the same network, metrics and meta.
        exported = export_network(data, options, "json")
        assert isinstance(exported, bytes)
        linked = json.loads(exported)
        body = _view(linked["meta"], ((n["id"], n) for n in linked["nodes"]), ((e["source"], e["target"], e) for e in linked["edges"]), positions)
    else:
        body = _graph_view(build_network(data, options), positions)
    body.update(options=options.as_dict(), downloads=dict(downloads), mode="network")
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


_IN_FLIGHT: dict[tuple[NetworkData, NetworkOptions, tuple[tuple[str, str], ...]], threading.Event] = {}
_IN_FLIGHT_LOCK = threading.Lock()
#: How long a request waits for another one computing the same page data before computing it itself.
IN_FLIGHT_WAIT = 60.0


def _page_data_once(data: NetworkData, options: NetworkOptions, downloads: tuple[tuple[str, str], ...]) -> bytes:
    """`_page_data`, made by one thread at a time per network: a second request for it waits for the first.

    Why: at start the warm-up thread renders each kind's default page while the first visitors ask
    for the very same pages; computed side by side, they shared the CPU and each took twice as long
    (0.4 s of CPU more at 100k triples, bench/results/network.md). Waiting costs nothing: the
    answer is then in `_page_data`'s cache. A request that waited longer than IN_FLIGHT_WAIT, or
    whose first computation failed, computes it itself.
    """
    key = (data, options, downloads)
    with _IN_FLIGHT_LOCK:
        running = _IN_FLIGHT.get(key)
        if running is None:
            _IN_FLIGHT[key] = done = threading.Event()
    if running is not None:
        running.wait(IN_FLIGHT_WAIT)
        return _page_data(data, options, downloads)
    try:
        return _page_data(data, options, downloads)
    finally:
        with _IN_FLIGHT_LOCK:
            del _IN_FLIGHT[key]
        done.set()


def _choices(data: NetworkData) -> dict[str, Any]:
    return {
        **describe(data),
        "kinds": list(KINDS),
        "weightings": list(WEIGHTINGS),
        "role_choices": [*ROLE_CHOICES, *describe(data)["roles"]],
        "years": as_of_years(data),
    }


def _filter_params(options: NetworkOptions) -> dict[str, Any]:
    """The options back as query parameters (for download links), defaults left out."""
    defaults = NetworkOptions(kind=options.kind)
    params: dict[str, Any] = {}
    for name, value in options.as_dict().items():
        if name == "kind" or value == defaults.as_dict()[name] or value in (None, []):
            continue
        params[name] = ",".join(value) if isinstance(value, list) else value
    return params


@network.get("/network.json")
def page_json() -> Response:
    """The /network page's data (its JSON twin): nodes with x/y, metrics and links; edges; meta; downloads."""
    if "query" in request.args:
        query = _query_text()
        with _one_build():
            built = query_network(query)
            if isinstance(built, Response):
                return built
            body = _graph_view(built.network, built.layout())
        body.update(options={}, downloads=_downloads("network.api_from_query", {"query": query}), mode="query", query=query)
        return json_response(body)
    data = _data()
    kind = _one("kind", "organisations")
    if kind not in KINDS:
        raise NetworkOptionError(f"kind: unknown network '{kind}' (expected one of: {', '.join(KINDS)})")
    options = _options(kind=kind)
    lang = _export_lang()
    # The downloads name the nodes as the page does (`lang=bg` carried on each link).
    downloads = _downloads("network.api_network", {"kind": kind, **_filter_params(options), **({"lang": lang} if lang else {})})
    answer = _page_data_once(data, options, tuple(sorted(downloads.items())))
    if lang is not None:
        answer = _relabelled(answer, lang)
    return Response(answer, content_type=JSON.content_type)


@functools.lru_cache(maxsize=32)
def _relabelled(body: bytes, lang: str) -> bytes:
    """The page's data with each node named in `lang` where the graph has a label in it (?lang=bg on
    /network.json): the network, its layout and its exports stay one (English-labelled) computation."""
    labels = resources().labels
    names: dict[str, str] = {}
    for thing in labels.things if labels is not None else []:
        written = next((text for _, text, label_lang in thing.labels if label_lang == lang), None)
        if written is not None:
            names[thing.iri] = written
    page = json.loads(body)
    for node in page["nodes"]:
        node["label"] = names.get(node["id"], node["label"])
    return json.dumps(page, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


@network.get("/network")
def page() -> Any:
    """The interactive network: the picture, filters, date slider, search, downloads and a metrics table."""
    data = _data()
    status = 200
    error = None
    try:
        _params()
        if "query" not in request.args:
            _options()
    except NetworkOptionError as err:
        status, error = 400, str(err)
    lang, _ = choose_lang()
    said = words(NETWORK, lang)
    choices = _choices(data)
    config = {
        "dataUrl": url_for("network.page_json"),
        "jsonUrl": url_for("network.page_json") + (f"?{request.query_string.decode('utf-8', 'replace')}" if request.query_string else ""),
        "params": {k: v for k, v in request.args.to_dict(flat=True).items() if k != "lang"},
        "choices": choices,
        "sparqlUrl": with_lang(url_for("sparql.get"), lang),
        "lang": lang,
        "words": said,
        "names": _choice_names(choices, lang, said),
    }
    return render_template("network.html", config=config, error=error, choices=choices, w=said, names=config["names"], lang=lang), status


def _choice_names(choices: dict[str, Any], lang: str, said: dict[str, str]) -> dict[str, dict[str, str]]:
    """What each choice of the form is called in the visitor's language: the page's own words for
    kinds, weightings and role groups; the vocabularies' labels for roles, partner types, themes and evidence."""
    roles = _vocab_names("role", choices["roles"], lang)
    return {
        "kinds": {k: said.get(f"kind_{k}", k) for k in choices["kinds"]},
        "weightings": {k: said.get(f"weighting_{k}", k) for k in choices["weightings"]},
        "roles": {r: said.get(f"role_{r}") or roles.get(r, r) for r in choices["role_choices"]},
        "partner_types": _vocab_names("partner-type", choices["partner_types"], lang),
        "themes": _vocab_names("theme", choices["themes"], lang),
        "evidence": _vocab_names("evidence", choices["evidence"], lang),
    }


def _vocab_names(scheme: str, codes: list[str], lang: str) -> dict[str, str]:
    """A vocabulary's codes by their labels in `lang` (else English, else the code), from the app's label index."""
    labels = resources().labels
    things = {thing.iri: thing for thing in labels.things} if labels is not None else {}
    names = {}
    for code in codes:
        thing = things.get(f"{base()}vocab/{scheme}/{code}")
        written = {label_lang: text for _, text, label_lang in thing.labels} if thing is not None else {}
        names[code] = written.get(lang) or written.get("en") or code
    return names


# ---------------------------------------------------------------- start-up


def open_precomputed() -> Precomputed | None:
    """Use the networks `uaeu build` precomputed for the served release, if the build folder has them for this code."""
    release = release_id()
    precomputed = Precomputed.open(network_folder(settings().build_dir, release), release, base())
    use_precomputed(precomputed, release)
    return precomputed


def start_warm_up(app: Flask) -> threading.Thread:
    """Build every default network, its exports and its layout in the background, so first requests are fast.

    With the networks `uaeu build` precomputed (`open_precomputed`), this only reads them. A thread, not start-up work: `uaeu serve` answers /healthz at once, and a request that comes
    before the warm-up is done simply computes (and caches) what it needs itself.
    """

    with app.app_context():
        open_precomputed()

    def run() -> None:
        try:
            with app.app_context():
                data = _data()
                warm_up(data, formats=("json",))
                for kind in KINDS:
                    kind_layout(data, kind)
                    # the page's own first request (its JSON twin for each kind's defaults) then finds its bytes ready
                    with app.test_request_context(f"/network.json?kind={kind}"):
                        page_json()
        except Exception:  # a failed warm-up must not kill the server; requests compute on demand
            app.logger.exception("network warm-up failed")

    thread = threading.Thread(target=run, name="uaeu-network-warm-up", daemon=True)
    thread.start()
    return thread
