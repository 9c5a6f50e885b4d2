"""`/map` and `/api/map`: partner places on a map of Europe, and the map embedded on each
partnership's and country's page. The data and the shapes are `graph.map`'s; this module only
keeps the map data per language for the life of the app and turns requests into filters.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from graph.map.data import FIRST_YEAR, LANGS, MapData, MapFilter, MapNotFound, MapParameterError, build_map, load_map_data
from graph.map.shapes import SHAPES_NAME, shapes_file
from graph.namespaces import COUNTRY
from webapp.linkeddata import local_url

map_view = Blueprint("map", __name__)

_cache_lock = threading.Lock()


def map_data(lang: str) -> MapData:
    """The app's map data in this language, computed on first use and kept."""
    cache: dict[str, MapData] = current_app.extensions.setdefault("uaeu_map", {})
    with _cache_lock:
        if lang not in cache:
            cache[lang] = load_map_data(current_app.extensions["uaeu_store"], lang)
        return cache[lang]


def shapes_url() -> str:
    return url_for("static", filename=f"vendor/map/{SHAPES_NAME}")


def embed_context(iri: str, lang: str = "en") -> dict[str, Any] | None:
    """What the map partial needs on a partnership's or country's page, or None for any other page
    (and for a country without partners). Offered to templates as `map_embed_for(iri, lang)`, so the
    linked-data pages embed the map without importing this module."""
    base = current_app.config["UAEU_SETTINGS"].base
    if iri.startswith(f"{base}id/partnership/"):
        query = {"partnership": iri.rsplit("/", 1)[-1]}
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
        "shapes": shapes_url(),
        "first_year": FIRST_YEAR,
        "last_year": dt.date.today().year,
        "labels": True,
        "assets_missing": shapes_file() is None,
    }


@map_view.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"map_embed_for": embed_context}


# ---------------------------------------------------------------- routes


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


@map_view.get("/api/map")
def api() -> Response:
    """The map's data as JSON: ?partnership=slug | ?country=ISO3, ?as-of=DATE, ?evidence=stated|all|..., ?lang=en|bg."""
    try:
        options = MapFilter.from_args(request.args.to_dict(flat=False))
        result = build_map(map_data(options.lang), options, current_app.config["UAEU_SETTINGS"].base, local_url)
    except MapParameterError as error:
        return _error(400, str(error))
    except MapNotFound as error:
        return _error(404, str(error))
    response = jsonify(result)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@map_view.get("/map")
def page() -> str:
    """The whole graph on a map, with a date slider, an evidence switch and the role legend."""
    return render_template(
        "map.html",
        map_embed={
            "api": url_for("map.api"),
            "shapes": shapes_url(),
            "first_year": FIRST_YEAR,
            "last_year": dt.date.today().year,
            "labels": False,
            "assets_missing": shapes_file() is None,
        },
    )


__all__ = ["embed_context", "map_data", "map_view"]
