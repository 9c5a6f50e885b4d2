"""What changed in a release: `/releases/{id}/changes` (HTML + JSON twin), its RDF Patch and N-Quads, and an entity's history.

A release is compared with the one published just before it in this build folder's archive
(graph.diff.previous); the diff and its changelog come from graph.diff (computed once, cached
under build/diffs/). `{id}` is a release id (`0.1.0+3f2a…`) or its folder name (`0.1.0_3f2a…`);
anything else is a 404 that says so. `/api/history?iri=` is the JSON twin of the "History"
section of a resource's page.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
from typing import Any

from flask import Blueprint, Flask, Response, abort, render_template, request
from flask.blueprints import BlueprintSetupState

from graph import diff
from graph.release import Release
from webapp.links import choose_lang, local_url, remember_lang
from webapp.plumbing import json_error, json_response, page_or_json, page_routes
from webapp.resources import current_release, public_url, resources, settings
from webapp.wording import CHANGES, words

changes = Blueprint("changes", __name__)

#: What a release id or folder name may look like (anything else is not looked up at all).
RELEASE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")
MAX_IRI = 2048
log = logging.getLogger(__name__)


@changes.record_once
def _warm_up(state: BlueprintSetupState) -> None:
    """Compute the diffs of neighbouring releases in the background, so the first History or changes page is quick."""
    app = state.app
    assert isinstance(app, Flask)
    served = resources(app)
    build_dir, until = served.settings.build_dir, served.release

    def run() -> None:
        try:
            releases = Release.all(build_dir)
            ids = [r.id for r in releases]
            if until is not None and until.id in ids:
                releases = releases[: ids.index(until.id) + 1]
            for older, newer in itertools.pairwise(releases):
                diff.cached(build_dir, older, newer)
        except Exception:  # a cache warm-up: a page asking later computes (and reports) the same
            log.warning("could not compute the diffs of %s in advance", build_dir, exc_info=True)

    threading.Thread(target=run, name="uaeu-diff-warm-up", daemon=True).start()


def find_release(name: str) -> Release:
    """The archived release named `name`, or a 404 saying which releases exist."""
    if not RELEASE_NAME.match(name):
        abort(404, description=f"{name[:100]!r} is not a release id")
    try:
        return diff.find(settings().build_dir, name)
    except diff.UnknownRelease as err:
        abort(404, description=str(err))


def changes_url(release: Release) -> str:
    return f"{public_url()}releases/{release.folder.name}/changes"


def _data(release: Release) -> dict[str, Any]:
    build_dir = settings().build_dir
    before = diff.previous(build_dir, release)
    base = changes_url(release)
    data: dict[str, Any] = {"release": release.id, "previous": before.id if before else None, "url": base}
    if before is None:
        return {**data, "changelog": [], "added": 0, "removed": 0, "graphs": {}, "other": {"count": 0, "by_subject": {}, "quads": []}}
    summary = diff.summary(build_dir, before, release)
    downloads = {"patch": f"{base}.rdfp", "added": f"{base}-added.nq", "removed": f"{base}-removed.nq"}
    return {**data, **{k: v for k, v in summary.items() if k not in ("from", "to")}, "downloads": downloads, "previous_url": changes_url(before)}


@page_routes(changes, "/releases/<name>/changes")
def page(name: str, extension: str | None = None) -> Response:
    release = find_release(name)
    data = _data(release)

    def html() -> Response:
        lang, remember = choose_lang()
        entries = [{**entry, "text": entry.get(lang) or entry["en"]} for entry in data["changelog"]]
        body = render_template("changes.html", data=data, entries=entries, lang=lang, w=words(CHANGES, lang), public=public_url())
        return remember_lang(Response(body, mimetype="text/html"), remember)

    return page_or_json(extension, f"releases/{release.folder.name}/changes", lambda: data, html)


def _file(name: str, which: str, media_type: str) -> Response:
    release = find_release(name)
    build_dir = settings().build_dir
    before = diff.previous(build_dir, release)
    if before is None:
        abort(404, description=f"release {release.id} is the first: it has no changes to download")
    folder = diff.cached(build_dir, before, release)
    # Read whole (a diff is small next to a dump), so no file stays open whatever the client does.
    response = Response((folder / which).read_bytes(), content_type=f"{media_type}; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{release.folder.name}-{which}"'
    response.add_etag()  # the diff of two immutable releases never changes
    response.make_conditional(request)
    return response


@changes.get("/releases/<name>/changes.rdfp")
def patch(name: str) -> Response:
    return _file(name, diff.PATCH, diff.PATCH_MEDIA_TYPE)


@changes.get("/releases/<name>/changes-added.nq")
def added(name: str) -> Response:
    return _file(name, diff.ADDED, "application/n-quads")


@changes.get("/releases/<name>/changes-removed.nq")
def removed(name: str) -> Response:
    return _file(name, diff.REMOVED, "application/n-quads")


def history(iri: str, lang: str) -> list[dict[str, Any]]:
    """The releases in which facts about `iri` changed (up to the served one), each with its changelog lines in `lang`."""
    entries = diff.history(settings().build_dir, iri, until=current_release())
    w = words(CHANGES, lang)
    for entry in entries:
        entry["url"] = f"{public_url()}releases/{entry['folder']}/changes"
        entry["texts"] = [line.get(lang) or line["en"] for line in entry["lines"]]
        if entry["other"]:
            entry["texts"].append(w["history_other"].format(n=entry["other"]))
    return entries


@changes.get("/api/history")
def api_history() -> Response:
    """The history of one thing across the archived releases (the JSON twin of its page's History section)."""
    iri = request.args.get("iri", "")
    if not iri or len(iri) > MAX_IRI or any(ord(c) < 32 for c in iri):
        return json_error(400, f"give iri= (an IRI of at most {MAX_IRI} characters, no control characters)")
    lang, _ = choose_lang()
    return json_response({"iri": iri, "page": local_url(iri), "history": history(iri, lang)})
