"""The front page, liveness and version: what this is, and is it up."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request

from graph import __version__

home = Blueprint("home", __name__)


def _release() -> dict[str, Any]:
    report = current_app.config["UAEU_REPORT"]
    return {"release": report["release"], "counts": report["counts"]}


@home.get("/")
def index() -> Any:
    release = _release()
    if request.args.get("format") == "json" or request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return jsonify(release)
    return render_template("home.html", release=release)


@home.get("/healthz")
def healthz() -> Any:
    return jsonify({"status": "ok"})


@home.get("/version")
def version() -> Any:
    report = current_app.config["UAEU_REPORT"]
    return jsonify({"code": __version__, "ontology": report["release"].split("+", 1)[0], "release": report["release"]})
