"""`/dumps/` and `/.well-known/void`: the release as files, and the dataset described in VoID and DCAT.

The listing, the checksums and every count in the description are computed once when the app
starts (`prepare`), from the release the app pinned (its folder never changes, and a later build
does not move it); a request only serialises what is already there. Downloads go through
`send_file(conditional=True)`, so clients get ETag (the file's SHA-256), Last-Modified,
304 Not Modified and byte ranges for resumed downloads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, render_template, send_file
from rdflib import Graph

from graph.formats import DOCUMENT_FORMATS, DUMP_FORMATS, GZIP, HTML, by_extension
from graph.release import Release, dump_extension
from webapp.links import choose_lang
from webapp.plumbing import negotiate, not_acceptable, page_or_json, page_routes
from webapp.resources import Resources, archived, public_url, resources, site_url
from webapp.void import CC_BY, DumpFile, Served, Version, add_versions, dataset_counts, describe, describe_version
from webapp.wording import DUMPS, words

dumps = Blueprint("dumps", __name__)


def files_of(release: Release) -> tuple[DumpFile, ...]:
    """The dumps of the pinned release, with the sizes and checksums of its (immutable) files."""
    sums = release.checksums()
    files = []
    for name in sorted(sums, key=lambda n: (n.endswith(".gz"), n)):
        ext, compressed = dump_extension(name) or ("", False)
        fmt = by_extension(ext, DUMP_FORMATS)
        if fmt is None:
            continue
        path = release.dump(ext, compressed)
        files.append(
            DumpFile(
                name=name,
                path=path,
                format=fmt.title + (" (gzip)" if compressed else ""),
                media_type=GZIP.media_type if compressed else fmt.media_type,
                compressed=compressed,
                size=path.stat().st_size,
                sha256=sums[name],
            )
        )
    return tuple(files)


def prepare(served: Resources, public: str | None = None) -> Served:
    """Once per release: list the files, take the counts and build the description (links under `public`, default the public URL)."""
    # Served from a remote store, the dumps are listed only when the build folder holds that release.
    pinned = served.release
    if pinned is not None:
        files, sums = files_of(pinned), pinned.sums
        issued = pinned.published.date()
    else:
        files, sums = (), None
        issued = dt.datetime.now(tz=dt.UTC).date()
    counts = dataset_counts(served.store)
    description = describe(served.settings, public or served.app_settings.public_url, served.release_id, issued, files, counts)
    return Served(served.release_id, issued, files, sums, counts, description)


def _served() -> Served:
    served = resources().served
    assert served is not None, "prepared by create_app"
    return served


def _listing() -> dict[str, Any]:
    release = _served()
    public = public_url()
    return {
        "release": release.release,
        "issued": release.issued.isoformat(),
        "license": str(CC_BY),
        "checksums": public + "dumps/SHA256SUMS",
        "files": [
            {"name": f.name, "url": public + "dumps/" + f.name, "format": f.format, "media_type": f.media_type, "size": f.size, "sha256": f.sha256}
            for f in release.files
        ],
    }


@dumps.get("/dumps")
def dumps_redirect() -> Response:
    response = Response(status=301)
    response.headers["Location"] = public_url() + "dumps/"
    return response


@page_routes(dumps, "/dumps/")
def listing(extension: str | None = None) -> Response:
    """Every file of the current release with format, size and SHA-256 (HTML, or its JSON twin /dumps/index.json)."""
    data = _listing()
    lang, _ = choose_lang()

    def html() -> Response:
        return Response(render_template("ld/dumps.html", **data, lang=lang, d=words(DUMPS, lang)), mimetype="text/html")

    return page_or_json(extension, "dumps/", lambda: data, html)


@dumps.get("/dumps/<name>")
def download(name: str) -> Response:
    """One file, by name from the release's list only (so no path from the request reaches the disk)."""
    release = _served()
    if name == "SHA256SUMS":
        if release.sums is None:
            abort(404)
        return send_file(release.sums, mimetype="text/plain", conditional=True, max_age=300)
    file = next((f for f in release.files if f.name == name), None)
    if file is None:
        abort(404)
    response = send_file(file.path, mimetype=file.media_type, conditional=True, etag=file.sha256, download_name=file.name, max_age=300)
    response.headers["Digest"] = f"sha-256={file.sha256}"
    return response


@dumps.get("/.well-known/void")
@dumps.get("/.well-known/void.<extension>")
def void(extension: str | None = None) -> Response:
    """The VoID + DCAT description: Turtle by default, any RDF format by Accept or extension."""
    fmt = negotiate(DOCUMENT_FORMATS, extension)
    if fmt is None:
        return not_acceptable("the dataset description", DOCUMENT_FORMATS)
    served = _served()
    graph = release_description(resources()) if archived() else add_versions(served.description, resources().settings, versions())
    if fmt is HTML:
        body = graph.serialize(format="turtle")
        response = Response(
            render_template("ld/void.html", turtle=body, counts=served.counts, release=served.release, lang=(lang := choose_lang()[0]), d=words(DUMPS, lang)),
            mimetype="text/html",
        )
    else:
        response = Response(graph.serialize(format=fmt.rdflib or "turtle", encoding="utf-8"), content_type=fmt.content_type)
    if extension is None:
        response.vary.add("Accept")
    return response


def versions() -> list[Version]:
    """Every release in the archive, oldest first, as the dataset's versions."""
    return [Version(r.id, r.folder.name, r.published.date()) for r in Release.all(resources().settings.build_dir)]


def release_description(served: Resources) -> Graph:
    """One release's VoID/DCAT: its files and endpoint under /releases/{id}/, `dct:isVersionOf` the dataset, after the release before it."""
    prepared = served.served
    assert prepared is not None, "prepared when the release was loaded"
    public = site_url()
    own = f"{public}releases/{served.release_folder}/"
    description = describe(served.settings, own, served.release_id, prepared.issued, prepared.files, prepared.counts)
    every = versions()
    mine = next((v for v in every if v.folder == served.release_folder), Version(served.release_id, served.release_folder, prepared.issued))
    position = next((i for i, v in enumerate(every) if v.folder == mine.folder), 0)
    previous = every[position - 1] if position > 0 else None
    return describe_version(description, served.settings, public, mine, previous)
