"""The indexes (`/partnerships`, `/organisations`, `/places`, `/events`) and label search (`/search`,
`/api/search`): lists of things to start from, each page with its JSON twin."""

from __future__ import annotations

from collections import Counter, OrderedDict
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from webapp.document import label_of, page_rows
from webapp.links import choose_lang, curie, kind_of, local_url, remember_lang
from webapp.plumbing import json_response, page_or_json, page_routes
from webapp.resources import base, public_url, resources
from webapp.wording import KIND_WORDS, UI_LANGUAGES, counted, ui, words_for

indexes = Blueprint("indexes", __name__)

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
    items: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for cls in INDEXES[name][0]:
        class_iri = cls if cls.startswith("http") else base() + cls
        for r in page_rows("index", **{"class": ox.NamedNode(class_iri)}, lang=ox.Literal(lang)):
            iri = r["item"].value
            if iri in items:
                continue
            where = r["where"]
            items[iri] = {
                "iri": iri,
                "url": local_url(iri, lang),
                "label": label_of(r, "label") or curie(iri),
                "kind": kind_of(iri),
                "date": r["date"].value if r["date"] is not None else None,
                "where": where.value if where is not None else None,
                "where_url": local_url(where.value, lang) if where is not None else None,
                "where_label": label_of(r, "whereLabel") if where is not None else None,
            }
    key = (lambda i: (i["date"] or "9999", i["label"].casefold())) if name == "events" else (lambda i: i["label"].casefold())
    return sorted(items.values(), key=key)


def list_kinds() -> dict[str, dict[str, int]]:
    """Once per release: how many rows each list page shows, by kind (events: event (panels
    included), milestone; places: country, place); the home page's counts are these, so they agree with the lists."""
    counted: dict[str, dict[str, int]] = {}
    for name in INDEXES:
        kinds: dict[str, int] = {}
        for item in _index_items(name, "en"):
            kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
        counted[name] = kinds
    return counted


@page_routes(indexes, "/<any(partnerships, organisations, places, events):name>")
def index(name: str, extension: str | None = None) -> Response:
    """An index page, and its .json twin."""
    lang, remember = choose_lang()
    items = _index_items(name, lang)

    def html() -> Response:
        title = INDEXES[name][2 if lang == "bg" else 1]
        kinds = sorted(Counter(item["kind"] for item in items).items(), key=lambda kv: -kv[1])
        includes = ", ".join(counted(n, *words_for(KIND_WORDS, kind, lang), lang) for kind, n in kinds) if len(kinds) > 1 else ""
        page = render_template(
            "ld/index.html", name=name, title=title, items=items, includes=includes, lang=lang, t=ui(lang), public=public_url(), languages=UI_LANGUAGES
        )
        return remember_lang(Response(page, mimetype="text/html"), remember)

    return page_or_json(extension, name, lambda: {"name": name, "lang": lang, "count": len(items), "items": items}, html)


def search_labels(q: str, limit: int = 20, lang: str = "en") -> list[dict[str, Any]]:
    """Search by several words over every language's labels and each thing's context (see `LabelIndex.search`)."""
    labels = resources().labels
    found = labels.search(q, limit, lang) if labels is not None else []
    return [{"iri": item["iri"], "url": local_url(item["iri"]), **item} for item in found]


@indexes.get("/api/search")
def api_search() -> Response:
    """Type-ahead label search: ?q= (any language, Cyrillic included), ?limit= up to 50."""
    q = request.args.get("q", "")
    try:
        limit = max(1, min(50, int(request.args.get("limit", "20"))))
    except ValueError:
        limit = 20
    asked = (request.args.get("lang") or "en").lower()
    lang = asked if asked in UI_LANGUAGES else "en"
    results = search_labels(q[:200], limit, lang)
    for item in results:
        item["url"] = local_url(item["iri"], lang)
    return json_response({"q": q, "count": len(results), "results": results})


@page_routes(indexes, "/search")
def search_page(extension: str | None = None) -> Response:
    """The search page, and its .json twin (the same answer as /api/search, with links in the visitor's language)."""
    lang, _ = choose_lang()
    q = request.args.get("q", "")[:200]  # what is searched is what the page shows (a 100 kB q is not echoed back)
    results = search_labels(q, 50, lang) if q else []
    for item in results:
        item["url"] = local_url(item["iri"], lang)

    def html() -> Response:
        page = render_template("ld/search.html", q=q, results=results, lang=lang, t=ui(lang), public=public_url(), languages=UI_LANGUAGES)
        return Response(page, mimetype="text/html")

    return page_or_json(extension, "search", lambda: {"q": q, "count": len(results), "results": results}, html)
