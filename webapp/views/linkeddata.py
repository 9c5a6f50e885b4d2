"""Linked data: dereferenceable IRIs, resource documents, the ontology and the vocabularies.

`/id/{type}/{slug}` names a thing (a partnership, a city); `/doc/{type}/{slug}` is the document about
it, as HTML for people and Turtle, JSON-LD, N-Triples or RDF/XML for machines, chosen by extension or
by `Accept` (webapp.plumbing.negotiate over graph.formats.DOCUMENT_FORMATS). What a page shows is
webapp.document's; every link and redirect is built from the configured public URL.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from graph.formats import DOCUMENT_FORMATS, HTML, Format, by_name
from graph.namespaces import COUNTRY, prefixes
from webapp.document import SKOS, exists, json_for_script, jsonld, page_context, page_triples, switch_languages, value_of
from webapp.kept import kept_html
from webapp.links import INSTANCE_TYPES, SLUG, choose_lang, curie, remember_lang, with_lang
from webapp.plumbing import negotiate, not_acceptable, split_extension, text_response
from webapp.resources import base, public_url
from webapp.views.changes import history
from webapp.wording import CHANGES, ERRORS, ONTOLOGY, UI_LANGUAGES, predicate_name, ui, words

linkeddata = Blueprint("ld", __name__)

#: The formats of a document, in the order its `Link` headers and the page's links list them.
ALTERNATES: tuple[Format, ...] = (HTML, *(f for f in DOCUMENT_FORMATS if f is not HTML))


def _alternates(path: str) -> list[tuple[str, str, str]]:
    """(extension, media type, URL) of every format of the document at `{public}{path}`."""
    return [(f.extension, f.media_type, f"{public_url()}{path}.{f.extension}") for f in ALTERNATES]


def _describe_headers(response: Response, path: str, negotiated: bool) -> Response:
    response.headers["Link"] = ", ".join(f'<{url}>; rel="alternate"; type="{media}"' for _, media, url in _alternates(path))
    if negotiated:
        response.vary.add("Accept")
    response.vary.add("Cookie")
    return response


def _not_acceptable(path: str) -> Response:
    return _describe_headers(not_acceptable("this resource", ALTERNATES), path, negotiated=True)


def rdf_response(triples: list[ox.Triple], fmt: Format, path: str, negotiated: bool) -> Response:
    """Triples in an RDF format, with the document's alternates; `Content-Location` names the format's own URL."""
    assert fmt.rdf is not None
    options: dict[str, Any] = {"prefixes": prefixes(base())} if fmt.rdf in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else {}
    response = Response(ox.serialize(triples, format=fmt.rdf, **options), content_type=fmt.content_type)
    _describe_headers(response, path, negotiated)
    if negotiated:
        response.headers["Content-Location"] = f"{public_url()}{path}.{fmt.extension}"
    return response


def not_found(iri: str | None = None) -> Response:
    """A 404 that helps: the identifier asked for, and a search box (plain text for data clients)."""
    lang, _ = choose_lang()
    if negotiate(DOCUMENT_FORMATS) is not HTML:
        return text_response(404, f"no resource {iri or request.path} in this graph")
    guess = request.path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", " ")
    html = render_template("ld/404.html", iri=iri, guess=guess, lang=lang, t=ui(lang), e=words(ERRORS, lang), public=public_url())
    return Response(html, status=404, mimetype="text/html")


class _BadFormat(Exception):
    """`?format=` names no format of a document, or another one than the URL's extension."""


def _document_format(extension: str | None) -> tuple[Format | None, bool]:
    """The format asked for, and whether `Accept` chose it: the URL's extension, else `?format=`
    (a name or extension: `json` gives JSON-LD, as `.json` twins give JSON elsewhere), else `Accept`."""
    asked = request.args.get("format")
    if asked is None:
        return negotiate(DOCUMENT_FORMATS, extension), extension is None
    fmt = by_name(asked, DOCUMENT_FORMATS)
    if fmt is None:
        raise _BadFormat(f"unknown format {asked[:40]!r}; a document is available as: " + ", ".join(f.extension for f in DOCUMENT_FORMATS))
    if extension is not None and fmt.extension != extension:
        raise _BadFormat(f"two formats asked for: the URL's .{extension} and format={asked[:40]!r}; ask for one")
    return fmt, False


@linkeddata.errorhandler(_BadFormat)
def _bad_format(error: _BadFormat) -> Response:
    return text_response(400, str(error))


def render_resource(iri: str, path: str, extension: str | None) -> Response:
    """The document about `iri` at `{public}{path}`, in the format asked for (see `_document_format`)."""
    fmt, negotiated = _document_format(extension)
    if fmt is None:
        return _not_acceptable(path)
    if fmt is not HTML:
        triples = page_triples("describe", subject=ox.NamedNode(iri))
        return rdf_response(triples, fmt, path, negotiated=negotiated) if triples else not_found(iri)
    lang, remember = choose_lang()

    def render() -> str | None:
        triples = page_triples("describe", subject=ox.NamedNode(iri))
        if not triples:
            return None
        page = page_context(iri, lang)
        return render_template(
            "ld/resource.html",
            **page,
            jsonld=json_for_script(jsonld(triples)),
            alternates=_alternates(path),
            canonical=f"{public_url()}{path}",
            sparql_url=with_lang(f"{public_url()}sparql?" + urlencode({"query": f"DESCRIBE <{iri}>"}), lang),
            lang=lang,
            t=ui(lang),
            public=public_url(),
            languages=switch_languages(page["literal_langs"]),
            history=history(iri, lang),
            hw=words(CHANGES, lang),
        )

    html = kept_html(render, lang)
    if html is None:
        return not_found(iri)
    response = _describe_headers(Response(html, mimetype="text/html"), path, negotiated=negotiated)
    return remember_lang(response, remember)


@linkeddata.get("/id/<kind>/<slug>")
def identifier(kind: str, slug: str) -> Response:
    """303 See Other: the IRI names the thing; the document about it lives under /doc/."""
    if kind not in INSTANCE_TYPES or not SLUG.match(slug):
        return not_found()
    iri = f"{base()}id/{kind}/{slug}"
    if not exists(iri):
        return not_found(iri)
    response = Response(status=303)
    # The language asked for travels with the redirect (a link to /id/...?lang=bg opens the Bulgarian page).
    lang = (request.args.get("lang") or "").lower()
    response.headers["Location"] = with_lang(f"{public_url()}doc/{kind}/{quote(slug)}", lang if lang in UI_LANGUAGES else "en")
    response.vary.add("Accept")
    return response


@linkeddata.get("/doc/<kind>/<name>")
def document(kind: str, name: str) -> Response:
    slug, extension = split_extension(name, ALTERNATES)
    if not SLUG.match(slug):
        return not_found()
    if kind == "country":
        return render_resource(f"{COUNTRY}{slug}", f"doc/country/{slug}", extension)
    if kind not in INSTANCE_TYPES:
        return not_found()
    return render_resource(f"{base()}id/{kind}/{slug}", f"doc/{kind}/{slug}", extension)


@linkeddata.get("/vocab/<name>")
def scheme(name: str) -> Response:
    slug, extension = split_extension(name, ALTERNATES)
    if not SLUG.match(slug):
        return not_found()
    return render_resource(f"{base()}vocab/{slug}", f"vocab/{slug}", extension)


@linkeddata.get("/vocab/<scheme_name>/<name>")
def concept(scheme_name: str, name: str) -> Response:
    slug, extension = split_extension(name, ALTERNATES)
    if not SLUG.match(slug) or not SLUG.match(scheme_name):
        return not_found()
    return render_resource(f"{base()}vocab/{scheme_name}/{slug}", f"vocab/{scheme_name}/{slug}", extension)


@linkeddata.get("/ontology")
@linkeddata.get("/ontology.<extension>")
def ontology(extension: str | None = None) -> Response:
    """The ontology document: its own description plus every term it defines (one CONSTRUCT)."""
    fmt, negotiated = _document_format(extension)
    if fmt is None:
        return _not_acceptable("ontology")
    triples = page_triples("ontology")
    if fmt is not HTML:
        return rdf_response(triples, fmt, "ontology", negotiated=negotiated)
    lang, remember = choose_lang()
    terms: dict[str, dict[str, Any]] = {}
    for triple in triples:
        if isinstance(triple.subject, ox.Triple):
            continue  # no quoted triples in the ontology
        s, p, o = triple.subject.value, triple.predicate.value, triple.object
        entry = terms.setdefault(s, {"iri": s, "id": s.rpartition("#")[2] if "#" in s else "", "labels": {}, "definitions": {}, "facts": []})
        if p in ("http://www.w3.org/2000/01/rdf-schema#label", "http://purl.org/dc/terms/title") and isinstance(o, ox.Literal):
            entry["labels"][o.language or ""] = o.value
        elif p in (SKOS + "definition", "http://purl.org/dc/terms/description", "http://www.w3.org/2000/01/rdf-schema#comment") and isinstance(o, ox.Literal):
            entry["definitions"][o.language or ""] = o.value
        else:
            cur = curie(p)
            entry["facts"].append((predicate_name(cur, lang, False), value_of(o, None, lang)))
    document_entry = terms.pop(base() + "ontology", {"labels": {}, "definitions": {}, "facts": []})
    ordered = sorted(terms.values(), key=lambda e: (not e["id"][:1].isupper(), e["id"]))
    html = render_template(
        "ld/ontology.html",
        doc=document_entry,
        terms=ordered,
        o=words(ONTOLOGY, lang),
        lang=lang,
        t=ui(lang),
        public=public_url(),
        alternates=_alternates("ontology"),
        languages=UI_LANGUAGES,
        pick=lambda labels: labels.get(lang) or labels.get("en") or labels.get("") or next(iter(labels.values()), ""),
        sparql_url=with_lang(f"{public_url()}sparql?" + urlencode({"query": f"DESCRIBE <{base()}ontology>"}), lang),
    )
    response = _describe_headers(Response(html, mimetype="text/html"), "ontology", negotiated=negotiated)
    return remember_lang(response, remember)
