"""The front page, liveness and version: what this is, and is it up."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template

from graph import __version__
from webapp.links import choose_lang, remember_lang
from webapp.plumbing import page_or_json, page_routes
from webapp.resources import public_url, resources
from webapp.wording import HOME, KIND_WORDS, LIST_WORDS, REPORT_WORDS, UI_LANGUAGES, counted, ui, words_for

home = Blueprint("home", __name__)


def _release(lang: str) -> dict[str, Any]:
    """The release, its raw build counts, and what each list page lists, in words (counted once per release)."""
    served = resources()
    report = served.report
    lists = []
    for name, kinds in served.lists.items():
        total = sum(kinds.values())
        parts = [counted(n, *words_for(KIND_WORDS, kind, lang), lang) for kind, n in sorted(kinds.items(), key=lambda kv: -kv[1])]
        lists.append(
            {
                "name": name,
                "count": total,
                "url": public_url() + name + (f"?lang={lang}" if lang != "en" else ""),
                "text": counted(total, *words_for(LIST_WORDS, name, lang), lang),
                "includes": dict(kinds),
                "includes_text": ", ".join(parts) if len(parts) > 1 else "",
            }
        )
    also = [counted(int(report["counts"][key]), *words_for(REPORT_WORDS, key, lang), lang) for key in REPORT_WORDS if key in report["counts"]]
    return {"release": report["release"], "lang": lang, "lists": lists, "also": also, "counts": report["counts"]}


@page_routes(home, "/")
def index(extension: str | None = None) -> Response:
    """The front page, and its JSON twin (/index.json; also ?format=json or Accept: application/json)."""
    lang, remember = choose_lang()
    release = _release(lang)

    def html() -> Response:
        words = HOME.get(lang, HOME["en"])
        page = render_template("home.html", release=release, h=words, lang=lang, t=ui(lang), public=public_url(), languages=UI_LANGUAGES)
        return remember_lang(Response(page, mimetype="text/html"), remember)

    return page_or_json(extension, "", lambda: release, html)


@home.get("/healthz")
def healthz() -> Any:
    return jsonify({"status": "ok"})


@home.get("/version")
def version() -> Any:
    report = resources().report
    return jsonify({"code": __version__, "ontology": report["release"].split("+", 1)[0], "release": report["release"]})
