"""`/dumps/` and `/.well-known/void`: the release as files, and the dataset described in VoID and DCAT.

The listing, the checksums and every count in the description are computed once when the app starts,
from the release the app pinned (its folder never changes, and a later build does not move it); a
request only serialises what is already there. Downloads go through `send_file(conditional=True)`, so clients get
ETag (the file's SHA-256), Last-Modified, 304 Not Modified and byte ranges for resumed downloads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, abort, current_app, jsonify, render_template, request, send_file
from flask.blueprints import BlueprintSetupState
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, XSD

from graph.build.dumps import FORMATS
from graph.config import Settings
from graph.queries import NamedQuery, folder
from graph.release import Release, dump_extension, dump_name
from graph.store import GraphStore, Row
from webapp.linkeddata import RDF_FORMATS, negotiate

dumps = Blueprint("dumps", __name__)

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
IANA = "http://www.iana.org/assignments/media-types/"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
WIKIDATA = "http://www.wikidata.org/entity/"
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
FORMAT_NAMES = {"trig": "TriG", "nq": "N-Quads", "ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD"}


@dataclass(frozen=True)
class DumpFile:
    """One downloadable file of the release."""

    name: str
    path: Path
    format: str
    media_type: str
    compressed: bool
    size: int
    sha256: str


@dataclass(frozen=True)
class Served:
    """The release being served: its identifier, date, files and its VoID/DCAT description."""

    release: str
    issued: dt.date
    files: tuple[DumpFile, ...]
    sums: Path | None
    counts: dict[str, int]
    description: Graph


def _files(release: Release) -> tuple[DumpFile, ...]:
    """The dumps of the pinned release, with the sizes and checksums of its (immutable) files."""
    sums = release.checksums()
    by_ext = {f.extension: f for f in FORMATS}
    files = []
    for name in sorted(sums, key=lambda n: (n.endswith(".gz"), n)):
        ext, compressed = dump_extension(name) or ("", False)
        fmt = by_ext.get(ext)
        if fmt is None:
            continue
        path = release.dump(ext, compressed)
        files.append(
            DumpFile(
                name=name,
                path=path,
                format=FORMAT_NAMES.get(ext, ext) + (" (gzip)" if compressed else ""),
                media_type="application/gzip" if compressed else fmt.media_type,
                compressed=compressed,
                size=path.stat().st_size,
                sha256=sums[name],
            )
        )
    return tuple(files)


VOID_QUERIES: dict[str, NamedQuery] = folder("void")


def _rows(store: GraphStore, name: str, bindings: dict[str, ox.NamedNode | ox.Literal] | None = None) -> list[Row]:
    query = VOID_QUERIES[name]
    return store.select(query.text, query.bindings(bindings))


def _count(store: GraphStore, name: str) -> int:
    return int(_rows(store, name)[0]["n"].value)


def dataset_counts(store: GraphStore) -> dict[str, Any]:
    """The numbers VoID states, taken by SPARQL over the default graph (the union of all graphs)."""
    names = {"triples": "triples", "entities": "entities", "distinct_subjects": "distinct-subjects"}
    names |= {"distinct_objects": "distinct-objects", "properties": "properties", "classes": "classes"}
    counts: dict[str, Any] = {key: _count(store, name) for key, name in names.items()}
    counts["class_partitions"] = {s["c"].value: int(s["n"].value) for s in _rows(store, "class-partitions")}
    counts["property_partitions"] = {s["p"].value: int(s["n"].value) for s in _rows(store, "property-partitions")}
    linksets: dict[tuple[str, str], int] = {}
    for target in (WIKIDATA, EU_AUTHORITY):
        for s in _rows(store, "linkset", {"prefix": ox.Literal(target)}):
            linksets[(target, s["p"].value)] = int(s["n"].value)
    counts["linksets"] = linksets
    return counts


def describe(settings: Settings, public_url: str, release: str, issued: dt.date, files: tuple[DumpFile, ...], counts: dict[str, Any]) -> Graph:
    """VoID + DCAT description of the dataset (IRIs in the data space; links under the public URL)."""
    graph = Graph()
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("dct", DCTERMS), ("spdx", SPDX), ("owl", OWL)):
        graph.bind(prefix, ns)
    dataset = URIRef(settings.base + "dataset")
    add = graph.add
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, DCTERMS.title, Literal("Urban Agenda for the EU knowledge graph", lang="en")))
    add((dataset, DCTERMS.title, Literal("Граф на знанието за Градския дневен ред за ЕС", lang="bg")))
    add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "The thematic partnerships of the Urban Agenda for the EU: who coordinates and who takes part, themes, meetings, action plans; every fact with its source.",
                lang="en",
            ),
        )
    )
    add((dataset, DCTERMS.license, CC_BY))
    add((dataset, DCTERMS.issued, Literal(issued.isoformat(), datatype=XSD.date)))
    add((dataset, DCTERMS.modified, Literal(issued.isoformat(), datatype=XSD.date)))
    add((dataset, OWL.versionInfo, Literal(release)))
    add((dataset, DCAT.version, Literal(release)))
    add((dataset, DCAT.landingPage, URIRef(public_url)))
    add((dataset, VOID.uriSpace, Literal(settings.base + "id/")))
    add((dataset, VOID.exampleResource, URIRef(settings.base + "id/partnership/digital-transition")))
    add((dataset, VOID.sparqlEndpoint, URIRef(public_url + "sparql")))
    add((dataset, VOID.rootResource, URIRef(settings.base + "ontology")))
    add((dataset, VOID.triples, Literal(counts["triples"])))
    add((dataset, VOID.entities, Literal(counts["entities"])))
    add((dataset, VOID.distinctSubjects, Literal(counts["distinct_subjects"])))
    add((dataset, VOID.distinctObjects, Literal(counts["distinct_objects"])))
    add((dataset, VOID.properties, Literal(counts["properties"])))
    add((dataset, VOID.classes, Literal(counts["classes"])))
    service = URIRef(public_url + "sparql")
    add((service, RDF.type, DCAT.DataService))
    add((service, DCAT.endpointURL, service))
    add((service, DCAT.servesDataset, dataset))
    add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    for number, (cls, n) in enumerate(sorted(counts["class_partitions"].items()), start=1):
        part = URIRef(f"{settings.base}dataset#class-{number}")
        add((dataset, VOID.classPartition, part))
        add((part, VOID["class"], URIRef(cls)))
        add((part, VOID.entities, Literal(n)))
    for number, (prop, n) in enumerate(sorted(counts["property_partitions"].items()), start=1):
        part = URIRef(f"{settings.base}dataset#property-{number}")
        add((dataset, VOID.propertyPartition, part))
        add((part, VOID.property, URIRef(prop)))
        add((part, VOID.triples, Literal(n)))
    targets = {WIKIDATA: URIRef("http://www.wikidata.org/"), EU_AUTHORITY: URIRef("http://publications.europa.eu/resource/authority/")}
    for number, ((target, prop), n) in enumerate(sorted(counts["linksets"].items()), start=1):
        linkset = URIRef(f"{settings.base}dataset#linkset-{number}")
        add((linkset, RDF.type, VOID.Linkset))
        add((dataset, VOID.subset, linkset))
        add((linkset, VOID.subjectsTarget, dataset))
        add((linkset, VOID.objectsTarget, targets[target]))
        add((targets[target], RDF.type, VOID.Dataset))
        add((linkset, VOID.linkPredicate, URIRef(prop)))
        add((linkset, VOID.triples, Literal(n)))
    for file in files:
        url = URIRef(public_url + "dumps/" + file.name)
        if not file.compressed:
            add((dataset, VOID.dataDump, url))
        dist = URIRef(f"{settings.base}dataset#dump-{file.name}")
        add((dataset, DCAT.distribution, dist))
        add((dist, RDF.type, DCAT.Distribution))
        add((dist, DCTERMS.title, Literal(file.format)))
        add((dist, DCAT.downloadURL, url))
        add((dist, DCAT.accessURL, URIRef(public_url + "dumps/")))
        media = file.media_type if not file.compressed else next(f.media_type for f in FORMATS if file.name == dump_name(f.extension, compressed=True))
        add((dist, DCAT.mediaType, URIRef(IANA + media)))
        if file.compressed:
            add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
        add((dist, DCAT.byteSize, Literal(file.size, datatype=XSD.nonNegativeInteger)))
        add((dist, DCTERMS.license, CC_BY))
        checksum = URIRef(f"{settings.base}dataset#sha256-{file.name}")
        add((dist, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))
    return graph


@dumps.record_once
def _prepare(state: BlueprintSetupState) -> None:
    """Once per app: list the files, take the counts and build the description (all from the pinned release)."""
    app: Flask = state.app
    settings: Settings = app.config["UAEU_SETTINGS"]
    public_url: str = app.config["UAEU_APP_SETTINGS"].public_url
    report = app.config["UAEU_REPORT"]
    # Served from a remote store, the dumps are listed only when the build folder holds that release.
    pinned: Release | None = app.config.get("UAEU_RELEASE")
    if pinned is not None:
        files, sums = _files(pinned), pinned.sums
        issued = pinned.published.date()
    else:
        files, sums = (), None
        issued = dt.datetime.now(tz=dt.UTC).date()
    counts = dataset_counts(app.extensions["uaeu_store"])
    description = describe(settings, public_url, report["release"], issued, files, counts)
    app.extensions["uaeu_release"] = Served(report["release"], issued, files, sums, counts, description)


def _release() -> Served:
    return current_app.extensions["uaeu_release"]  # type: ignore[no-any-return]


def _listing() -> dict[str, Any]:
    release = _release()
    public_url = current_app.config["UAEU_APP_SETTINGS"].public_url
    return {
        "release": release.release,
        "issued": release.issued.isoformat(),
        "license": str(CC_BY),
        "checksums": public_url + "dumps/SHA256SUMS",
        "files": [
            {"name": f.name, "url": public_url + "dumps/" + f.name, "format": f.format, "media_type": f.media_type, "size": f.size, "sha256": f.sha256}
            for f in release.files
        ],
    }


@dumps.get("/dumps")
def dumps_redirect() -> Response:
    response = Response(status=301)
    response.headers["Location"] = current_app.config["UAEU_APP_SETTINGS"].public_url + "dumps/"
    return response


@dumps.get("/dumps/")
@dumps.get("/dumps/index.<any(json, html):extension>")
def listing(extension: str | None = None) -> Any:
    """Every file of the current release with format, size and SHA-256 (HTML, or JSON)."""
    data = _listing()
    wants_json = extension == "json" or (extension is None and request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json")
    response = jsonify(data) if wants_json else Response(render_template("ld/dumps.html", **data, lang="en"), mimetype="text/html")
    response.vary.add("Accept")
    return response


@dumps.get("/dumps/<name>")
def download(name: str) -> Response:
    """One file, by name from the release's list only (so no path from the request reaches the disk)."""
    release = _release()
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
    fmt = negotiate(extension)
    if fmt is None:
        return Response(
            f"the dataset description is available as: {', '.join(m for m, _ in RDF_FORMATS.values())}, text/html\n", status=406, mimetype="text/plain"
        )
    graph = _release().description
    if fmt == "html":
        body = graph.serialize(format="turtle")
        response = Response(render_template("ld/void.html", turtle=body, counts=_release().counts, release=_release().release, lang="en"), mimetype="text/html")
    else:
        media = RDF_FORMATS[fmt][0]
        rdflib_format = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}[fmt]
        response = Response(graph.serialize(format=rdflib_format, encoding="utf-8"), content_type=media + ("; charset=utf-8" if fmt in ("ttl", "nt") else ""))
    if extension is None:
        response.vary.add("Accept")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
