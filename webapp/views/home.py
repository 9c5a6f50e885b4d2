"""The front page, liveness and version: what this is, and is it up."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template

from graph import __version__
from webapp.plumbing import page_or_json, page_routes
from webapp.resources import resources

home = Blueprint("home", __name__)


def _release() -> dict[str, Any]:
    report = resources().report
    return {"release": report["release"], "counts": report["counts"]}


@page_routes(home, "/")
def index(extension: str | None = None) -> Response:
    """The front page, and its JSON twin (/index.json; also ?format=json or Accept: application/json)."""
    release = _release()
    return page_or_json(extension, "", lambda: release, lambda: Response(render_template("home.html", release=release), mimetype="text/html"))


@home.get("/healthz")
def healthz() -> Any:
    return jsonify({"status": "ok"})


@home.get("/version")
def version() -> Any:
    report = resources().report
    return jsonify({"code": __version__, "ontology": report["release"].split("+", 1)[0], "release": report["release"]})
