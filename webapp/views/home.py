"""The front page, liveness and version: what this is, and is it up."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template

from graph import __version__
from webapp.plumbing import page_or_json, page_routes
from webapp.resources import public_url, resources
from webapp.wording import KIND_WORDS, LIST_WORDS, REPORT_WORDS, counted, ui

home = Blueprint("home", __name__)


def _release() -> dict[str, Any]:
    """The release, its raw build counts, and what each list page lists, in words."""
    served = resources()
    report = served.report
    lists = []
    for name, kinds in served.lists.items():
        total = sum(kinds.values())
        parts = [counted(n, *KIND_WORDS.get(kind, (kind, kind))) for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1])]
        lists.append(
            {
                "name": name,
                "count": total,
                "url": public_url() + name,
                "text": counted(total, *LIST_WORDS[name]),
                "includes": dict(kinds),
                "includes_text": ", ".join(parts) if len(parts) > 1 else "",
            }
        )
    also = [counted(int(report["counts"][key]), *words) for key, words in REPORT_WORDS.items() if key in report["counts"]]
    return {"release": report["release"], "lists": lists, "also": also, "counts": report["counts"]}


@page_routes(home, "/")
def index(extension: str | None = None) -> Response:
    """The front page, and its JSON twin (/index.json; also ?format=json or Accept: application/json)."""
    release = _release()
    return page_or_json(
        extension,
        "",
        lambda: release,
        lambda: Response(render_template("home.html", release=release, t=ui("en"), public=public_url()), mimetype="text/html"),
    )


@home.get("/healthz")
def healthz() -> Any:
    return jsonify({"status": "ok"})


@home.get("/version")
def version() -> Any:
    report = resources().report
    return jsonify({"code": __version__, "ontology": report["release"].split("+", 1)[0], "release": report["release"]})
