"""`/releases/`: the archive of every release (HTML, JSON twin, Atom), and each release's own page.

`/releases/{id}/` lists the release's dumps (served from the archive, under
`/releases/{id}/dumps/`, with checksums and byte ranges), its build report, its VoID/DCAT
(`/releases/{id}/void`) and the doors that answer from it (`/releases/{id}/sparql`, `/doc/...`).
The answering itself is `webapp.archive`'s; `/releases/{id}/changes` belongs to the changes view.
Ids are checked by `webapp.archive.find` (400 malformed, 404 unknown, 410 pruned).
"""

from __future__ import annotations

import contextlib
import json
import xml.etree.ElementTree as ET
from typing import Any

from flask import Blueprint, Response, render_template, send_file

from graph.archive import Entry, Tombstone, listing
from graph.formats import DOCUMENT_FORMATS, HTML
from graph.release import Release
from webapp.archive import cache, complete, find
from webapp.links import choose_lang, remember_lang
from webapp.plumbing import negotiate, not_acceptable, page_or_json, page_routes
from webapp.resources import Resources, latest, site_url
from webapp.views.dumps import files_of, release_description
from webapp.wording import ui

releases = Blueprint("releases", __name__)

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml"


def _page(folder: str) -> str:
    return f"{site_url()}releases/{folder}/"


def _entry(entry: Entry) -> dict[str, Any]:
    page = _page(entry.folder)
    return {
        "id": entry.id,
        "folder": entry.folder,
        "url": page,
        "published": entry.published.isoformat(timespec="seconds"),
        "triples": entry.triples,
        "ontology_version": entry.ontology_version,
        "checksums": entry.checksums,
        "checksums_url": page + "dumps/SHA256SUMS",
        "bytes": entry.size,
        "current": entry.current,
        "latest": entry.folder == latest().release_folder,
    }


def _pruned() -> list[dict[str, Any]]:
    stones = []
    with contextlib.suppress(OSError):
        for path in sorted((latest().settings.build_dir / "tombstones").glob("*.json")):
            with contextlib.suppress(OSError, ValueError, TypeError):
                stone = Tombstone(**json.loads(path.read_text(encoding="utf-8")))
                stones.append({"id": stone.id, "pruned": stone.pruned, "replaced_by": stone.replaced_by, "url": _page(stone.folder)})
    return stones


def _archive() -> dict[str, Any]:
    entries = [_entry(e) for e in reversed(listing(latest().settings.build_dir))]  # newest first
    return {"releases": entries, "latest": latest().release_id, "feed": site_url() + "releases.atom", "pruned": _pruned()}


@releases.get("/releases")
def releases_redirect() -> Response:
    response = Response(status=301)
    response.headers["Location"] = site_url() + "releases/"
    return response


@page_routes(releases, "/releases/")
def index(extension: str | None = None) -> Response:
    """Every release, newest first: id, date, triples, ontology version, checksums (HTML or /releases/index.json)."""
    data = _archive()
    lang, remember = choose_lang()

    def html() -> Response:
        page = render_template("releases/index.html", **data, lang=lang, t=ui(lang), public=site_url())
        response = remember_lang(Response(page, mimetype="text/html"), remember)
        return response

    response = page_or_json(extension, "releases/", lambda: data, html)
    response.headers["Link"] += f', <{data["feed"]}>; rel="alternate"; type="{ATOM_TYPE}"'
    return response


@releases.get("/releases.atom")
def feed() -> Response:
    """The releases as an Atom feed, newest first (RFC 4287)."""
    data = _archive()
    ET.register_namespace("", ATOM)

    def add(parent: ET.Element, name: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
        if text is not None:
            element.text = text
        return element

    root = ET.Element(f"{{{ATOM}}}feed")
    add(root, "id", site_url() + "releases/")
    add(root, "title", "Urban Agenda for the EU knowledge graph: releases")
    updated = data["releases"][0]["published"] if data["releases"] else "1970-01-01T00:00:00+00:00"
    add(root, "updated", updated)
    add(add(root, "author"), "name", "Urban Agenda for the EU knowledge graph")
    add(root, "link", rel="self", href=data["feed"], type=ATOM_TYPE)
    add(root, "link", rel="alternate", href=site_url() + "releases/", type="text/html")
    for release in data["releases"]:
        entry = add(root, "entry")
        add(entry, "id", release["url"])
        add(entry, "title", f"Release {release['id']}")
        add(entry, "updated", release["published"])
        add(entry, "published", release["published"])
        add(entry, "link", rel="alternate", href=release["url"], type="text/html")
        add(entry, "link", rel="related", href=release["url"] + "changes", title="What changed")
        add(
            entry,
            "summary",
            f"{release['triples']:,} triples; ontology version {release['ontology_version']}; dumps with SHA-256 checksums at {release['checksums_url']}",
        )
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, content_type=f"{ATOM_TYPE}; charset=utf-8")


def _release_data(release: Release) -> dict[str, Any]:
    entries = listing(latest().settings.build_dir)
    position = next((i for i, e in enumerate(entries) if e.folder == release.folder.name), None)
    me = entries[position] if position is not None else None
    page = _page(release.folder.name)
    before = entries[position - 1] if position else None
    after = entries[position + 1] if position is not None and position + 1 < len(entries) else None
    counts = release.report.get("counts") or {}
    return {
        "id": release.id,
        "folder": release.folder.name,
        "url": page,
        "published": release.published.isoformat(timespec="seconds"),
        "ontology_version": release.id.split("+", 1)[0],
        "triples": int(counts.get("triples", 0)),
        "counts": counts,
        "current": bool(me and me.current),
        "latest": release.folder.name == latest().release_folder,
        "checksums": page + "dumps/SHA256SUMS",
        "files": [
            {"name": f.name, "url": page + "dumps/" + f.name, "format": f.format, "media_type": f.media_type, "size": f.size, "sha256": f.sha256}
            for f in files_of(release)
        ],
        "report": {"json": page + "report.json", "markdown": page + "report.md"},
        "void": page + "void",
        "sparql": page + "sparql",
        "browse": f"{site_url()}?release={release.folder.name}",
        "changes": page + "changes",
        "previous": {"id": before.id, "url": _page(before.folder)} if before else None,
        "next": {"id": after.id, "url": _page(after.folder)} if after else None,
        "latest_url": _page(latest().release_folder),
    }


@page_routes(releases, "/releases/<rid>/")
def release_page(rid: str, extension: str | None = None) -> Response:
    """One release: its dumps and checksums, build report, description, and where to query it."""
    found = find(rid)
    if isinstance(found, Response):
        return found
    data = _release_data(found)
    lang, remember = choose_lang()

    def html() -> Response:
        page = render_template("releases/release.html", r=data, lang=lang, t=ui(lang), public=site_url())
        return remember_lang(Response(page, mimetype="text/html"), remember)

    return page_or_json(extension, f"releases/{found.folder.name}/", lambda: data, html)


def _loaded(release: Release) -> Resources:
    own = latest()
    return own if release.folder.name == own.release_folder else complete(cache().get(release))


@releases.get("/releases/<rid>/void")
@releases.get("/releases/<rid>/void.<extension>")
def release_void(rid: str, extension: str | None = None) -> Response:
    """The release's VoID/DCAT: `dct:isVersionOf` the dataset, `dcat:previousVersion` the release before (Turtle by default)."""
    found = find(rid)
    if isinstance(found, Response):
        return found
    fmt = negotiate(DOCUMENT_FORMATS, extension)
    if fmt is None:
        return not_acceptable("the release's description", DOCUMENT_FORMATS)
    graph = release_description(_loaded(found))
    if fmt is HTML:
        served = _loaded(found).served
        assert served is not None
        page = render_template("ld/void.html", turtle=graph.serialize(format="turtle"), counts=served.counts, release=found.id, lang="en")
        response = Response(page, mimetype="text/html")
    else:
        response = Response(graph.serialize(format=fmt.rdflib or "turtle", encoding="utf-8"), content_type=fmt.content_type)
    if extension is None:
        response.vary.add("Accept")
    return response


@releases.get("/releases/<rid>/report.json")
@releases.get("/releases/<rid>/report.md")
def release_report(rid: str) -> Response:
    """The build report as written when the release was made (from the archive, never recomputed)."""
    found = find(rid)
    if isinstance(found, Response):
        return found
    from flask import request

    markdown = request.path.endswith(".md")
    path = found.report_md if markdown else found.report_json
    return send_file(path, mimetype="text/markdown" if markdown else "application/json", conditional=True, max_age=0)
