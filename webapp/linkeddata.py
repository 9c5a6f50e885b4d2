"""Linked data: dereferenceable IRIs, resource pages, indexes, label search, ontology and vocabularies.

`/id/{type}/{slug}` names a thing (a partnership, a city); `/doc/{type}/{slug}` is the document about
it, as HTML for people and Turtle, JSON-LD, N-Triples or RDF/XML for machines, chosen by extension or
by `Accept`. Every link and redirect is built from the configured public URL (`AppSettings.public_url`),
never from the request's Host header, which a client or proxy controls.

A page is built from a fixed handful of named queries in `graph/queries/pages/` (outgoing links,
incoming links, the RDF description, and at most three type-specific tables), whatever the number of
links, so page cost does not grow with one query per neighbour. Work proportional to the whole data
(the search index, the set of languages) is done once when the app starts.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, g, jsonify, render_template, request
from flask.blueprints import BlueprintSetupState
from markupsafe import Markup

from graph.config import Settings
from graph.namespaces import COUNTRY, prefixes
from graph.queries import NamedQuery, folder
from graph.store import GraphStore, Result, Solutions

linkeddata = Blueprint("ld", __name__)

PAGE_QUERIES: dict[str, NamedQuery] = folder("pages")

#: extension -> media type, in server preference for `*/*` (RDF first: only a client that names
#: text/html, i.e. a browser, gets the page; curl and RDF libraries get data).
RDF_FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
EXTENSIONS = {"html": "text/html", **{ext: media for ext, (media, _) in RDF_FORMATS.items()}}
#: media types clients use for the same formats
ALIASES = {
    "application/xhtml+xml": "html",
    "application/x-turtle": "ttl",
    "application/json": "jsonld",
    "text/plain": "nt",
    "application/xml": "rdf",
    "text/xml": "rdf",
}
INSTANCE_TYPES = ("partnership", "organisation", "place", "person", "event", "membership", "action", "action-plan", "source", "period", "instant", "milestone")
LABEL_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "https://schema.org/name",
    "http://purl.org/dc/terms/title",
    "http://xmlns.com/foaf/0.1/name",
    "http://www.w3.org/2000/01/rdf-schema#label",
)
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
LANG = re.compile(r"^[a-z]{2,3}$")

#: Words of the interface, in English and Bulgarian; other languages fall back to English.
UI: dict[str, dict[str, str]] = {
    "en": {
        "outgoing": "What the graph says",
        "incoming": "Linked from",
        "members": "Coordinators and members",
        "memberships": "Partnerships and roles",
        "events": "Events",
        "panels": "Panels",
        "actions": "Actions",
        "from_here": "Who takes part from here",
        "sparql": "Show the SPARQL for this",
        "data": "This page as data",
        "language": "Language",
        "role": "Role",
        "evidence": "Evidence",
        "period": "Period",
        "organisation": "Organisation",
        "partnership": "Partnership",
        "date": "Date",
        "name": "Name",
        "type": "Type",
        "pillar": "Pillar",
        "leaders": "Leaders",
        "number": "No.",
        "search": "Search",
        "not_found": "Nothing with this identifier",
        "iri": "Identifier",
        "kind_other": "Other",
    },
    "bg": {
        "outgoing": "Какво казва графът",
        "incoming": "Препратки към този ресурс",
        "members": "Координатори и членове",
        "memberships": "Партньорства и роли",
        "events": "Събития",
        "panels": "Панели",
        "actions": "Действия",
        "from_here": "Кой участва оттук",
        "sparql": "Покажи SPARQL заявката",
        "data": "Тази страница като данни",
        "language": "Език",
        "role": "Роля",
        "evidence": "Доказателство",
        "period": "Период",
        "organisation": "Организация",
        "partnership": "Партньорство",
        "date": "Дата",
        "name": "Име",
        "type": "Вид",
        "pillar": "Стълб",
        "leaders": "Водещи",
        "number": "№",
        "search": "Търсене",
        "not_found": "Няма ресурс с този идентификатор",
        "iri": "Идентификатор",
        "kind_other": "Други",
    },
}

#: Readable names of predicates (English, Bulgarian), forwards and backwards; others show as a CURIE.
PREDICATES: dict[str, tuple[str, str, str, str]] = {
    # curie: (en, bg, en inverse, bg inverse)
    "rdf:type": ("is a", "е", "instances", "екземпляри"),
    "skos:prefLabel": ("name", "име", "", ""),
    "skos:altLabel": ("also called", "наричано още", "", ""),
    "rdfs:label": ("label", "етикет", "", ""),
    "schema:name": ("name", "име", "", ""),
    "dct:title": ("title", "заглавие", "", ""),
    "foaf:name": ("name", "име", "", ""),
    "skos:note": ("note", "бележка", "", ""),
    "skos:historyNote": ("history", "история", "", ""),
    "skos:definition": ("definition", "определение", "", ""),
    "dct:subject": ("theme", "тема", "subject of", "тема на"),
    "dct:temporal": ("lifetime", "период", "lifetime of", "период на"),
    "dct:source": ("source", "източник", "source of", "източник за"),
    "dct:spatial": ("place", "място", "organisations there", "организации оттук"),
    "dct:publisher": ("publisher", "издател", "", ""),
    "dct:issued": ("issued", "издаден", "", ""),
    "dct:hasPart": ("has part", "съдържа", "part of", "част от"),
    "dct:isPartOf": ("part of", "част от", "has part", "съдържа"),
    "org:hasMember": ("members", "членове", "member of", "член на"),
    "org:memberOf": ("member of", "член на", "members", "членове"),
    "org:member": ("member", "член", "memberships", "членства"),
    "org:organization": ("partnership", "партньорство", "memberships", "членства"),
    "org:role": ("role", "роля", "memberships in this role", "членства с тази роля"),
    "org:memberDuring": ("period", "период", "period of", "период на"),
    "org:classification": ("kind", "вид", "organisations of this kind", "организации от този вид"),
    "uaeu:coordinates": ("coordinates", "координира", "coordinators", "координатори"),
    "uaeu:evidence": ("evidence", "доказателство", "memberships with this evidence", "членства с това доказателство"),
    "uaeu:partnership": ("partnership", "партньорство", "events and plans", "събития и планове"),
    "uaeu:pillar": ("pillar", "стълб", "actions", "действия"),
    "uaeu:leader": ("leader", "водещ", "actions led", "водени действия"),
    "uaeu:actionNumber": ("number", "номер", "", ""),
    "uaeu:dateCertainty": ("date certainty", "сигурност на датата", "", ""),
    "uaeu:conflict": ("sources disagree", "източниците се разминават", "", ""),
    "uaeu:openedBy": ("opened by", "открито от", "opened", "открил"),
    "schema:startDate": ("starts", "начало", "", ""),
    "schema:endDate": ("ends", "край", "", ""),
    "schema:location": ("venue", "място", "events here", "събития тук"),
    "schema:organizer": ("hosts", "домакини", "events hosted", "домакин на събития"),
    "schema:attendee": ("participants", "участници", "events attended", "участие в събития"),
    "schema:about": ("about", "относно", "events about this", "събития по темата"),
    "schema:subEvent": ("panels", "панели", "part of", "част от"),
    "schema:superEvent": ("part of", "част от", "panels", "панели"),
    "schema:additionalType": ("event type", "вид събитие", "events of this type", "събития от този вид"),
    "schema:containedInPlace": ("in", "в", "places in it", "места в него"),
    "schema:addressCountry": ("country", "държава", "places in this country", "места в тази държава"),
    "schema:url": ("web address", "уеб адрес", "", ""),
    "schema:jobTitle": ("office", "длъжност", "", ""),
    "schema:affiliation": ("affiliation", "към", "people", "хора"),
    "schema:position": ("position", "позиция", "", ""),
    "skos:inScheme": ("in scheme", "в схема", "concepts", "понятия"),
    "skos:topConceptOf": ("top concept of", "основно понятие на", "top concepts", "основни понятия"),
    "skos:hasTopConcept": ("top concepts", "основни понятия", "top concept of", "основно понятие на"),
    "skos:notation": ("code", "код", "", ""),
    "owl:sameAs": ("same as", "същото като", "same as", "същото като"),
    "time:hasBeginning": ("begins", "начало", "beginning of", "начало на"),
    "time:hasEnd": ("ends", "край", "end of", "край на"),
    "time:inXSDDate": ("date", "дата", "", ""),
    "time:inXSDgYearMonth": ("month", "месец", "", ""),
    "time:inXSDgYear": ("year", "година", "", ""),
    "rdfs:isDefinedBy": ("defined by", "дефинирано в", "defines", "дефинира"),
    "rdfs:subClassOf": ("subclass of", "подклас на", "subclasses", "подкласове"),
    "rdfs:seeAlso": ("see also", "виж също", "see also", "виж също"),
}
#: Order of predicates on a page: names and kinds first, notes and sources last.
ORDER = [
    "skos:prefLabel",
    "schema:name",
    "dct:title",
    "foaf:name",
    "skos:altLabel",
    "rdf:type",
    "org:classification",
    "dct:subject",
    "dct:temporal",
    "schema:startDate",
    "schema:endDate",
    "schema:location",
]
LAST = ["skos:note", "skos:historyNote", "uaeu:conflict", "dct:source", "rdfs:label"]


@dataclass
class Value:
    """One value on a page: text to show, where it links (or None), its language tag or datatype."""

    text: str
    href: str | None = None
    lang: str | None = None
    iri: str | None = None
    external: bool = False


@dataclass
class Group:
    """A predicate and its values, in one direction."""

    curie: str
    iri: str
    name: str
    values: list[Value] = field(default_factory=list)


@dataclass
class LinkedData:
    """What the app computes once at start: the languages in the data and the label search index."""

    languages: list[str]
    index: list[tuple[str, str, str, str, str]]  # (folded label, label, lang, iri, kind)


# ---------------------------------------------------------------- helpers


def _settings() -> Settings:
    return current_app.config["UAEU_SETTINGS"]  # type: ignore[no-any-return]


def _public() -> str:
    return current_app.config["UAEU_APP_SETTINGS"].public_url  # type: ignore[no-any-return]


def _store() -> GraphStore:
    return current_app.extensions["uaeu_store"]  # type: ignore[no-any-return]


def _ld() -> LinkedData:
    return current_app.extensions["uaeu_ld"]  # type: ignore[no-any-return]


def run_page_query(name: str, **bindings: ox.NamedNode | ox.Literal) -> Result:
    """Run one named page query with bound values; counts queries per request (see the tests)."""
    query = PAGE_QUERIES[name]
    g.ld_queries = getattr(g, "ld_queries", 0) + 1
    return query.run(_store(), bindings)


def _rows(name: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, Any]]:
    """A page query's rows with every projected variable (None where unbound)."""
    result = run_page_query(name, **bindings)
    assert isinstance(result, Solutions)
    return [{n: row.get(n) for n in result.variables} for row in result]


def _triples(name: str, **bindings: ox.NamedNode | ox.Literal) -> list[ox.Triple]:
    """A page query's triples (CONSTRUCT/DESCRIBE)."""
    result = run_page_query(name, **bindings)
    assert isinstance(result, list)
    return result


def curie(iri: str) -> str:
    for prefix, namespace in sorted(prefixes(_settings().base).items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def local_url(iri: str, lang: str = "en") -> str | None:
    """Where this server shows an IRI: our own IRIs map to pages under the public URL, countries
    of the EU authority table to /doc/country/{code}; other IRIs are external (None if not a link)."""
    base, public = _settings().base, _public()
    suffix = f"?lang={lang}" if lang != "en" else ""
    if iri.startswith(base + "id/"):
        return f"{public}doc/{iri[len(base) + 3 :]}{suffix}"
    if iri.startswith(base + "vocab/") or iri == base + "vocab":
        return f"{public}{iri[len(base) :]}{suffix}"
    if iri.startswith(base + "ontology"):
        rest = iri[len(base) + len("ontology") :]
        fragment = rest.lstrip("#") if rest.startswith("#") else ""
        return f"{public}ontology{suffix}" + (f"#{fragment}" if fragment else "")
    if iri.startswith(str(COUNTRY)):
        return f"{public}doc/country/{iri[len(str(COUNTRY)) :]}{suffix}"
    if iri.startswith(base):
        return None
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def _label(row: dict[str, Any], name: str) -> str | None:
    for key in (name, name + "En"):
        term = row.get(key)
        if term is not None:
            return str(term.value)
    return None


def _value(term: Any, label: str | None, lang: str) -> Value:
    if isinstance(term, ox.NamedNode):
        href = local_url(term.value, lang)
        return Value(label or curie(term.value), href, None, term.value, bool(href) and not href.startswith(_public()))
    if isinstance(term, ox.Literal):
        return Value(term.value, None, term.language, None)
    return Value(str(term))


def _choose_lang() -> tuple[str, str | None]:
    """(language, language to remember in a cookie): ?lang= first, then the cookie, then English."""
    asked = (request.args.get("lang") or "").lower()
    known = _ld().languages
    if asked and LANG.match(asked) and asked in known:
        return asked, asked
    cookie = (request.cookies.get("lang") or "").lower()
    if cookie and LANG.match(cookie) and cookie in known:
        return cookie, None
    return "en", None


def ui(lang: str) -> dict[str, str]:
    return {**UI["en"], **UI.get(lang, {})}


def _predicate_name(cur: str, lang: str, inverse: bool) -> str:
    names = PREDICATES.get(cur)
    if not names:
        return cur
    name = names[(2 if inverse else 0) + (1 if lang == "bg" else 0)]
    return name or cur


def _order(cur: str) -> tuple[int, str]:
    if cur in ORDER:
        return (0, f"{ORDER.index(cur):03d}")
    if cur in LAST:
        return (2, f"{LAST.index(cur):03d}")
    return (1, cur)


def json_for_script(data: Any) -> Markup:
    """JSON safe inside <script>: '<', '>' and '&' as \\u escapes, so '</script>' in data cannot end it."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 - escaped above for the <script> context


def fold(text: str) -> str:
    """Case- and accent-insensitive form for search (Cyrillic stays Cyrillic)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def kind_of(iri: str) -> str:
    base = _settings().base
    if iri.startswith(base + "id/"):
        return iri[len(base) + 3 :].split("/", 1)[0]
    if iri.startswith(str(COUNTRY)):
        return "country"
    if iri.startswith(base + "vocab/"):
        return "concept" if iri.count("/") > (base + "vocab/").count("/") else "scheme"
    if iri.startswith(base + "ontology"):
        return "ontology"
    return "resource"


# ---------------------------------------------------------------- start-up


@linkeddata.record_once
def _prepare(state: BlueprintSetupState) -> None:
    """Once per app: the languages labels come in, and the label search index."""
    app: Flask = state.app
    store: GraphStore = app.extensions["uaeu_store"]
    settings: Settings = app.config["UAEU_SETTINGS"]
    query = PAGE_QUERIES["labels"]
    languages: set[str] = {"en", "bg"}
    index: list[tuple[str, str, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    with app.app_context():
        for solution in store.select(query.text):
            label = solution["label"]
            item = solution["item"].value
            lang = label.language or ""
            if lang:
                languages.add(lang)
            if (item, label.value) in seen or local_url(item) is None or item.startswith(settings.base + "graph/"):
                continue
            seen.add((item, label.value))
            index.append((fold(label.value), label.value, lang, item, kind_of(item)))
    index.sort(key=lambda entry: (len(entry[1]), entry[1]))
    app.extensions["uaeu_ld"] = LinkedData(sorted(languages), index)


# ---------------------------------------------------------------- negotiation


def negotiate(extension: str | None) -> str | None:
    """The format to send: from the extension if given, else from Accept (None: nothing acceptable).

    Only a client that names text/html (a browser) gets the page; `*/*` and no Accept get Turtle.
    """
    if extension:
        return extension if extension in EXTENSIONS else None
    accept = request.accept_mimetypes
    if not request.headers.get("Accept"):
        return "ttl"
    offered = [media for media, _ in RDF_FORMATS.values()] + list(ALIASES) + ["text/html"]
    best = accept.best_match(offered)
    if best is None:
        return None
    if best in ("text/html", "application/xhtml+xml"):
        named = any(value in ("text/html", "application/xhtml+xml") for value, _ in accept)
        return "html" if named else "ttl"
    if best in ALIASES:
        return ALIASES[best]
    return next(ext for ext, (media, _) in RDF_FORMATS.items() if media == best)


def _split(name: str) -> tuple[str, str | None]:
    stem, dot, ext = name.rpartition(".")
    if dot and ext in EXTENSIONS:
        return stem, ext
    return name, None


def _alternates(path: str) -> list[tuple[str, str, str]]:
    public = _public()
    return [(ext, media, f"{public}{path}.{ext}") for ext, media in EXTENSIONS.items()]


def _not_acceptable(path: str) -> Response:
    offered = ", ".join(EXTENSIONS.values())
    response = Response(
        f"none of the requested types ({request.headers.get('Accept', '')}) can be served; this resource is available as: {offered}\n",
        status=406,
        mimetype="text/plain",
    )
    _describe_headers(response, path, negotiated=True)
    return response


def _describe_headers(response: Response, path: str, negotiated: bool) -> None:
    links = [f'<{url}>; rel="alternate"; type="{media}"' for _, media, url in _alternates(path)]
    response.headers["Link"] = ", ".join(links)
    if negotiated:
        response.vary.add("Accept")
    response.vary.add("Cookie")
    response.headers["Access-Control-Allow-Origin"] = "*"


def _rdf(triples: list[ox.Triple], fmt: str) -> bytes:
    rdf_format = RDF_FORMATS[fmt][1]
    kwargs: dict[str, Any] = {}
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        kwargs["prefixes"] = prefixes(_settings().base)
    return ox.serialize(triples, format=rdf_format, **kwargs)  # type: ignore[no-any-return]


def _rdf_response(triples: list[ox.Triple], fmt: str, path: str, negotiated: bool) -> Response:
    media = RDF_FORMATS[fmt][0]
    response = Response(_rdf(triples, fmt), content_type=media + ("; charset=utf-8" if fmt in ("ttl", "nt") else ""))
    _describe_headers(response, path, negotiated)
    if negotiated:
        response.headers["Content-Location"] = f"{_public()}{path}.{fmt}"
    return response


def _jsonld(triples: list[ox.Triple]) -> Any:
    return json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))


# ---------------------------------------------------------------- pages


def not_found(iri: str | None = None) -> Response:
    """A 404 that helps: the identifier asked for, and a search box."""
    lang, _ = _choose_lang()
    wants_html = negotiate(None) == "html"
    if not wants_html:
        return Response(f"no resource {iri or request.path} in this graph\n", status=404, mimetype="text/plain")
    guess = request.path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", " ")
    html = render_template("ld/404.html", iri=iri, guess=guess, lang=lang, t=ui(lang), public=_public())
    return Response(html, status=404, mimetype="text/html")


def _exists(iri: str) -> bool:
    return run_page_query("exists", s=ox.NamedNode(iri)) is True


def render_resource(iri: str, path: str, extension: str | None) -> Response:
    """The document about `iri` at `{public}{path}`, in the negotiated format."""
    fmt = negotiate(extension)
    if fmt is None:
        return _not_acceptable(path)
    subject = ox.NamedNode(iri)
    triples = _triples("describe", subject=subject)
    if not triples:
        return not_found(iri)
    if fmt != "html":
        return _rdf_response(triples, fmt, path, negotiated=extension is None)
    lang, remember = _choose_lang()
    page = _page_context(iri, lang)
    html = render_template(
        "ld/resource.html",
        **page,
        jsonld=json_for_script(_jsonld(triples)),
        alternates=_alternates(path),
        canonical=f"{_public()}{path}",
        sparql_url=f"{_public()}sparql?" + urlencode({"query": f"DESCRIBE <{iri}>"}),
        lang=lang,
        t=ui(lang),
        public=_public(),
        languages=_switch_languages(page["literal_langs"]),
    )
    response = Response(html, mimetype="text/html")
    _describe_headers(response, path, negotiated=extension is None)
    if remember:
        response.set_cookie("lang", remember, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def _switch_languages(literal_langs: set[str]) -> list[str]:
    """English, Bulgarian, then any local language this resource has a label in."""
    extra = sorted(lang for lang in literal_langs if lang not in ("en", "bg") and LANG.match(lang))
    return ["en", "bg", *extra]


def _page_context(iri: str, lang: str) -> dict[str, Any]:
    subject = ox.NamedNode(iri)
    lit = ox.Literal(lang)
    outgoing: OrderedDict[str, Group] = OrderedDict()
    labels: dict[str, dict[str, str]] = {}
    types: list[str] = []
    seen: set[tuple[str, str]] = set()
    for row in _rows("outgoing", subject=subject, lang=lit):
        p, o = row["p"].value, row["o"]
        key = (p, str(o))
        if key in seen:
            continue
        seen.add(key)
        cur = curie(p)
        group = outgoing.setdefault(cur, Group(cur, p, _predicate_name(cur, lang, inverse=False)))
        label = _label(row, "olabel")
        if label is None and (row["ostart"] is not None or row["oend"] is not None):
            label = _period({"start": row["ostart"], "end": row["oend"]})
        group.values.append(_value(o, label, lang))
        if isinstance(o, ox.Literal) and p in LABEL_PREDICATES:
            labels.setdefault(p, {})[o.language or ""] = o.value
        if p == RDF_TYPE:
            types.append(o.value)
    incoming: OrderedDict[str, Group] = OrderedDict()
    seen.clear()
    for row in _rows("incoming", subject=subject, lang=lit):
        p, s = row["p"].value, row["s"]
        key = (p, str(s))
        if key in seen:
            continue
        seen.add(key)
        cur = curie(p)
        group = incoming.setdefault(cur, Group(cur, p, _predicate_name(cur, lang, inverse=True)))
        group.values.append(_value(s, _label(row, "slabel"), lang))
    for group in (*outgoing.values(), *incoming.values()):
        group.values.sort(key=lambda v: (v.lang not in (lang, None), v.text.casefold()))
    title = _title(labels, lang) or curie(iri)
    kind = kind_of(iri)
    sections = _sections(kind, types, subject, lit, lang)
    literal_langs = {lang_ for by_lang in labels.values() for lang_ in by_lang if lang_}
    return {
        "iri": iri,
        "title": title,
        "kind": kind,
        "outgoing": sorted(outgoing.values(), key=lambda grp: _order(grp.curie)),
        "incoming": sorted(incoming.values(), key=lambda grp: _order(grp.curie)),
        "sections": sections,
        "literal_langs": literal_langs,
    }


def _title(labels: dict[str, dict[str, str]], lang: str) -> str | None:
    for wanted in (lang, "en", ""):
        for predicate in LABEL_PREDICATES:
            if wanted in labels.get(predicate, {}):
                return labels[predicate][wanted]
    for predicate in LABEL_PREDICATES:
        if labels.get(predicate):
            return next(iter(labels[predicate].values()))
    return None


def _period(row: dict[str, Any]) -> str:
    start = row.get("start")
    end = row.get("end")
    if start is None and end is None:
        return ""
    return f"{start.value if start is not None else '?'} – {end.value if end is not None else ''}".strip()


def _sections(kind: str, types: list[str], subject: ox.NamedNode, lit: ox.Literal, lang: str) -> dict[str, Any]:
    """Type-specific tables, one query each (at most three per page)."""
    sections: dict[str, Any] = {}
    if kind == "partnership":
        members = []
        for row in _rows("partnership-memberships", subject=subject, lang=lit):
            members.append(
                {
                    "org": _value(row["org"], _label(row, "orgLabel"), lang),
                    "kind": _label(row, "kindLabel") or ui(lang)["kind_other"],
                    "role": _label(row, "roleLabel") or "",
                    "coordinator": row["role"] is not None and row["role"].value.endswith("/coordinator"),
                    "evidence": _label(row, "evidenceLabel") or "",
                    "period": _period(row),
                    "membership": local_url(row["membership"].value, lang),
                }
            )
        members.sort(key=lambda m: (not m["coordinator"], m["kind"], m["org"].text.casefold()))
        groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        for member in members:
            groups.setdefault(member["kind"], []).append(member)
        sections["members"] = groups
    if kind == "organisation":
        rows = _rows("organisation-memberships", subject=subject, lang=lit)
        sections["memberships"] = sorted(
            (
                {
                    "partnership": _value(r["partnership"], _label(r, "partnershipLabel"), lang),
                    "role": _label(r, "roleLabel") or "",
                    "evidence": _label(r, "evidenceLabel") or "",
                    "period": _period(r),
                    "membership": local_url(r["membership"].value, lang),
                }
                for r in rows
            ),
            key=lambda m: (m["period"], m["partnership"].text),
        )
    if kind in ("place", "country"):
        by_org: OrderedDict[str, dict[str, Any]] = OrderedDict()
        for r in _rows("place-organisations", subject=subject, lang=lit):
            entry = by_org.setdefault(r["org"].value, {"org": _value(r["org"], _label(r, "orgLabel"), lang), "roles": []})
            if r["partnership"] is not None:
                role = {
                    "partnership": _value(r["partnership"], _label(r, "partnershipLabel"), lang),
                    "role": _label(r, "roleLabel") or "",
                    "evidence": _label(r, "evidenceLabel") or "",
                }
                if role not in entry["roles"]:
                    entry["roles"].append(role)
        sections["from_here"] = sorted(by_org.values(), key=lambda e: e["org"].text.casefold())
    if kind in ("partnership", "organisation", "place", "country", "event", "person"):
        events: OrderedDict[str, dict[str, Any]] = OrderedDict()
        for r in _rows("events", subject=subject, lang=lit):
            entry = events.setdefault(
                r["event"].value,
                {
                    "event": _value(r["event"], _label(r, "label"), lang),
                    "start": r["start"].value if r["start"] is not None else "",
                    "end": r["end"].value if r["end"] is not None else "",
                    "type": _label(r, "typeLabel") or "",
                    "how": set(),
                },
            )
            entry["how"].add(r["how"].value)
        sections["events"] = list(events.values())
    if kind in ("partnership", "organisation", "action-plan"):
        actions: OrderedDict[str, dict[str, Any]] = OrderedDict()
        for r in _rows("actions", subject=subject, lang=lit):
            entry = actions.setdefault(
                r["action"].value,
                {
                    "action": _value(r["action"], r["title"].value if r["title"] is not None else None, lang),
                    "number": r["number"].value if r["number"] is not None else "",
                    "pillar": _label(r, "pillarLabel") or "",
                    "leaders": [],
                },
            )
            if r["leader"] is not None:
                leader = _value(r["leader"], _label(r, "leaderLabel"), lang)
                if leader not in entry["leaders"]:
                    entry["leaders"].append(leader)
        sections["actions"] = sorted(actions.values(), key=lambda a: _number_key(a["number"]))
    return sections


def _number_key(number: str) -> tuple[int, str]:
    digits = re.match(r"\d+", number)
    return (int(digits.group()) if digits else 10_000, number)


# ---------------------------------------------------------------- routes


@linkeddata.get("/id/<kind>/<slug>")
def identifier(kind: str, slug: str) -> Response:
    """303 See Other: the IRI names the thing; the document about it lives under /doc/."""
    if kind not in INSTANCE_TYPES or not SLUG.match(slug):
        return not_found()
    iri = f"{_settings().base}id/{kind}/{slug}"
    if not _exists(iri):
        return not_found(iri)
    response = Response(status=303)
    response.headers["Location"] = f"{_public()}doc/{kind}/{quote(slug)}"
    response.vary.add("Accept")
    return response


@linkeddata.get("/doc/<kind>/<name>")
def document(kind: str, name: str) -> Response:
    slug, extension = _split(name)
    if not SLUG.match(slug):
        return not_found()
    if kind == "country":
        return render_resource(f"{COUNTRY}{slug}", f"doc/country/{slug}", extension)
    if kind not in INSTANCE_TYPES:
        return not_found()
    return render_resource(f"{_settings().base}id/{kind}/{slug}", f"doc/{kind}/{slug}", extension)


@linkeddata.get("/vocab/<name>")
def scheme(name: str) -> Response:
    slug, extension = _split(name)
    if not SLUG.match(slug):
        return not_found()
    return render_resource(f"{_settings().base}vocab/{slug}", f"vocab/{slug}", extension)


@linkeddata.get("/vocab/<scheme_name>/<name>")
def concept(scheme_name: str, name: str) -> Response:
    slug, extension = _split(name)
    if not SLUG.match(slug) or not SLUG.match(scheme_name):
        return not_found()
    return render_resource(f"{_settings().base}vocab/{scheme_name}/{slug}", f"vocab/{scheme_name}/{slug}", extension)


@linkeddata.get("/ontology")
@linkeddata.get("/ontology.<extension>")
def ontology(extension: str | None = None) -> Response:
    """The ontology document: its own description plus every term it defines (one CONSTRUCT)."""
    fmt = negotiate(extension)
    if fmt is None:
        return _not_acceptable("ontology")
    if extension is not None and extension not in EXTENSIONS:
        return not_found()
    base = _settings().base
    triples = _triples("ontology")
    if fmt != "html":
        return _rdf_response(triples, fmt, "ontology", negotiated=extension is None)
    lang, remember = _choose_lang()
    terms: dict[str, dict[str, Any]] = {}
    for triple in triples:
        s, p, o = triple.subject.value, triple.predicate.value, triple.object
        entry = terms.setdefault(s, {"iri": s, "id": s.rpartition("#")[2] if "#" in s else "", "labels": {}, "definitions": {}, "facts": []})
        if p in ("http://www.w3.org/2000/01/rdf-schema#label", "http://purl.org/dc/terms/title") and isinstance(o, ox.Literal):
            entry["labels"][o.language or ""] = o.value
        elif p in (SKOS + "definition", "http://purl.org/dc/terms/description", "http://www.w3.org/2000/01/rdf-schema#comment") and isinstance(o, ox.Literal):
            entry["definitions"][o.language or ""] = o.value
        else:
            cur = curie(p)
            entry["facts"].append((_predicate_name(cur, lang, False), _value(o, None, lang)))
    document_entry = terms.pop(base + "ontology", {"labels": {}, "definitions": {}, "facts": []})
    ordered = sorted(terms.values(), key=lambda e: (not e["id"][:1].isupper(), e["id"]))
    html = render_template(
        "ld/ontology.html",
        doc=document_entry,
        terms=ordered,
        lang=lang,
        t=ui(lang),
        public=_public(),
        alternates=_alternates("ontology"),
        languages=["en", "bg"],
        pick=lambda labels: labels.get(lang) or labels.get("en") or labels.get("") or next(iter(labels.values()), ""),
        sparql_url=f"{_public()}sparql?" + urlencode({"query": f"DESCRIBE <{base}ontology>"}),
    )
    response = Response(html, mimetype="text/html")
    _describe_headers(response, "ontology", negotiated=extension is None)
    if remember:
        response.set_cookie("lang", remember, max_age=365 * 24 * 3600, samesite="Lax")
    return response


INDEXES: dict[str, tuple[tuple[str, ...], str, str]] = {
    # name: (classes, English title, Bulgarian title)
    "partnerships": (("ontology#Partnership",), "Partnerships", "Партньорства"),
    "organisations": (("http://www.w3.org/ns/org#Organization",), "Organisations", "Организации"),
    "places": (
        ("https://schema.org/Country", "https://schema.org/City", "https://schema.org/AdministrativeArea"),
        "Countries, cities and regions",
        "Държави, градове и региони",
    ),
    "events": (("https://schema.org/Event",), "Events and milestones", "Събития и етапи"),
}


def _index_items(name: str, lang: str) -> list[dict[str, Any]]:
    base = _settings().base
    items: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for cls in INDEXES[name][0]:
        class_iri = cls if cls.startswith("http") else base + cls
        for r in _rows("index", **{"class": ox.NamedNode(class_iri)}, lang=ox.Literal(lang)):
            iri = r["item"].value
            if iri in items:
                continue
            where = r["where"]
            items[iri] = {
                "iri": iri,
                "url": local_url(iri, lang),
                "label": _label(r, "label") or curie(iri),
                "kind": kind_of(iri),
                "date": r["date"].value if r["date"] is not None else None,
                "where": where.value if where is not None else None,
                "where_url": local_url(where.value, lang) if where is not None else None,
                "where_label": _label(r, "whereLabel") if where is not None else None,
            }
    key = (lambda i: (i["date"] or "9999", i["label"].casefold())) if name == "events" else (lambda i: i["label"].casefold())
    return sorted(items.values(), key=key)


@linkeddata.get("/<any(partnerships, organisations, places, events):name>")
@linkeddata.get("/<any(partnerships, organisations, places, events):name>.<any(json, html):extension>")
def index(name: str, extension: str | None = None) -> Any:
    """An index page, and its .json twin (also chosen by Accept: application/json)."""
    lang, remember = _choose_lang()
    items = _index_items(name, lang)
    wants_json = extension == "json" or (extension is None and request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json")
    if wants_json:
        response = jsonify({"name": name, "lang": lang, "count": len(items), "items": items})
    else:
        title = INDEXES[name][2 if lang == "bg" else 1]
        response = Response(
            render_template("ld/index.html", name=name, title=title, items=items, lang=lang, t=ui(lang), public=_public(), languages=["en", "bg"]),
            mimetype="text/html",
        )
        if remember:
            response.set_cookie("lang", remember, max_age=365 * 24 * 3600, samesite="Lax")
    if extension is None:
        response.vary.add("Accept")
    response.headers["Link"] = (
        f'<{_public()}{name}.json>; rel="alternate"; type="application/json", <{_public()}{name}.html>; rel="alternate"; type="text/html"'
    )
    return response


def search_labels(q: str, limit: int = 20) -> list[dict[str, Any]]:
    """Label search over every language: exact, then prefix, then word-prefix, then substring."""
    needle = fold(q.strip())
    if not needle:
        return []
    best: dict[str, tuple[int, int, dict[str, Any]]] = {}
    for position, (folded, label, lang, iri, kind) in enumerate(_ld().index):
        if needle not in folded:
            continue
        if folded == needle:
            rank = 0
        elif folded.startswith(needle):
            rank = 1
        elif re.search(r"(^|[\s\-„\"'(/])" + re.escape(needle), folded):
            rank = 2
        else:
            rank = 3
        current = best.get(iri)
        if current is None or (rank, position) < current[:2]:
            best[iri] = (rank, position, {"iri": iri, "url": local_url(iri), "label": label, "lang": lang, "kind": kind})
    ranked = sorted(best.values(), key=lambda item: item[:2])
    return [item[2] for item in ranked[:limit]]


@linkeddata.get("/api/search")
def api_search() -> Response:
    """Type-ahead label search: ?q= (any language, Cyrillic included), ?limit= up to 50."""
    q = request.args.get("q", "")
    try:
        limit = max(1, min(50, int(request.args.get("limit", "20"))))
    except ValueError:
        limit = 20
    results = search_labels(q[:200], limit)
    response = jsonify({"q": q, "count": len(results), "results": results})
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@linkeddata.get("/search")
def search_page() -> str:
    lang, _ = _choose_lang()
    q = request.args.get("q", "")
    results = search_labels(q[:200], 50) if q else []
    for item in results:
        item["url"] = local_url(item["iri"], lang)
    return render_template("ld/search.html", q=q, results=results, lang=lang, t=ui(lang), public=_public(), languages=["en", "bg"])


__all__ = ["PAGE_QUERIES", "linkeddata", "local_url", "negotiate", "search_labels"]
