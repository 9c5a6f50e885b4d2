"""`/map` and `/api/map`: partner places on a map of Europe, and the map embedded on each
partnership's and country's page. The data and the shapes are `graph.map`'s; this module only
keeps the map data per language for the life of the app and turns requests into filters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for

from graph.map.data import FIRST_YEAR, LANGS, MapData, MapFilter, build_map, load_map_data
from graph.map.shapes import SHAPES_NAME, europe_topology, shapes_file
from graph.namespaces import COUNTRY
from webapp.links import choose_lang, local_url
from webapp.plumbing import json_error, json_response, page_or_json, page_routes
from webapp.resources import base, resources
from webapp.wording import MAP, words

map_view = Blueprint("map", __name__)


def map_data(lang: str) -> MapData:
    """The app's map data in this language, computed on first use and kept (the release never changes under the app)."""
    served = resources()
    with served.lock:
        if lang not in served.maps:
            served.maps[lang] = load_map_data(served.store, lang)
        return served.maps[lang]


def shapes_url() -> str:
    return url_for("static", filename=f"vendor/map/{SHAPES_NAME}")


def europe_shapes_url() -> str:
    """The smaller shape set of the partnership and country pages' maps (Europe and round it, not the world)."""
    return url_for("map.europe_shapes")


def embed_context(iri: str, lang: str = "en") -> dict[str, Any] | None:
    """What the map partial needs on a partnership's or country's page, or None for any other page
    (and for a country without partners). Offered to templates as `map_embed_for(iri, lang)`, so the
    linked-data pages embed the map without importing this module."""
    if iri.startswith(f"{base()}id/partnership/"):
        query: dict[str, Any] = {"partnership": iri.rsplit("/", 1)[-1]}
        known = iri in map_data("en").partnerships
    elif iri.startswith(str(COUNTRY)):
        query = {"country": iri.rsplit("/", 1)[-1]}
        known = iri in map_data("en").countries
    else:
        return None
    if not known:
        return None
    if lang in LANGS and lang != "en":
        query["lang"] = lang
    return {
        "api": url_for("map.api", **query),
        "shapes": europe_shapes_url(),
        "first_year": FIRST_YEAR,
        "last_year": dt.date.today().year,
        "labels": True,
        "assets_missing": shapes_file() is None,
        "lang": lang,
        "words": words(MAP, lang),
    }


@map_view.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"map_embed_for": embed_context}


# ---------------------------------------------------------------- routes


def _map_json() -> dict[str, Any]:
    """The map's data for the request's filters (a bad value raises MapParameterError: 400; an unknown one MapNotFound: 404)."""
    args = request.args.to_dict(flat=False)
    args.pop("release", None)  # webapp.archive answered it: the release this map is drawn from
    options = MapFilter.from_args(args)
    return build_map(map_data(options.lang), options, base(), local_url)


@map_view.get("/api/map")
def api() -> Response:
    """The map's data as JSON: ?partnership=slug | ?country=ISO3, ?as-of=DATE, ?evidence=stated|all|..., ?lang=en|bg."""
    return json_response(_map_json())


@map_view.get("/api/map/shapes/europe.json")
def europe_shapes() -> Response:
    """The countries reaching into Europe's box, cut from the vendored 1:50m TopoJSON once per process;
    the browser may keep them a day (they change only with `make assets`)."""
    path = shapes_file()
    if path is None:
        return json_error(404, "the country shapes are not installed (make assets)")
    response = Response(europe_topology(path), mimetype="application/json")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@page_routes(map_view, "/map")
def page(extension: str | None = None) -> Response:
    """The whole graph on a map, with a date slider, an evidence switch and the role legend; its JSON twin is /api/map's answer."""
    lang, _ = choose_lang()
    lang = lang if lang in LANGS else "en"
    embed = {
        "api": url_for("map.api") + (f"?lang={lang}" if lang != "en" else ""),
        "shapes": shapes_url(),
        "first_year": FIRST_YEAR,
        "last_year": dt.date.today().year,
        "labels": False,
        "assets_missing": shapes_file() is None,
        "lang": lang,
        "words": words(MAP, lang),
    }
    html = lambda: Response(render_template("map.html", map_embed=embed, m=embed["words"], lang=lang), mimetype="text/html")  # noqa: E731
    return page_or_json(extension, "map", _map_json, html)


__all__ = ["embed_context", "map_data", "map_view"]
